"""Layers, registered by the name that ``style.layers`` uses."""

from __future__ import annotations

from clusteranim.scene.base import LayerOptions
from clusteranim.scene.layers.centroids import CentroidsLayer
from clusteranim.scene.layers.density import DensityLayer
from clusteranim.scene.layers.ellipses import EllipsesLayer
from clusteranim.scene.layers.legend import LegendLayer
from clusteranim.scene.layers.objective import ObjectiveLayer
from clusteranim.scene.layers.points import PointsLayer
from clusteranim.scene.layers.regions import RegionsLayer
from clusteranim.scene.layers.title import TitleLayer
from clusteranim.scene.layers.trails import TrailsLayer

LAYERS: dict[str, type[LayerOptions]] = {
    layer.plugin_name(): layer
    for layer in (
        PointsLayer,
        CentroidsLayer,
        TrailsLayer,
        RegionsLayer,
        DensityLayer,
        EllipsesLayer,
        TitleLayer,
        LegendLayer,
        ObjectiveLayer,
    )
}

__all__ = ["LAYERS", "LayerOptions"]
