"""Layers, registered by the name that ``style.layers`` uses."""

from __future__ import annotations

from clusteranim.scene.base import LayerOptions
from clusteranim.scene.layers.centroids import CentroidsLayer
from clusteranim.scene.layers.points import PointsLayer
from clusteranim.scene.layers.title import TitleLayer

LAYERS: dict[str, type[LayerOptions]] = {
    layer.plugin_name(): layer for layer in (PointsLayer, CentroidsLayer, TitleLayer)
}

__all__ = ["LAYERS", "LayerOptions"]
