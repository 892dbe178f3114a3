"""Layers, registered by the name that ``style.layers`` uses."""

from __future__ import annotations

from clusteranim.scene.base import LayerOptions
from clusteranim.scene.layers.batch import BatchOptions
from clusteranim.scene.layers.caption import CaptionOptions
from clusteranim.scene.layers.centroids import CentroidsOptions
from clusteranim.scene.layers.changes import ChangesOptions
from clusteranim.scene.layers.core import CoreOptions
from clusteranim.scene.layers.dendrogram import DendrogramOptions
from clusteranim.scene.layers.density import DensityOptions
from clusteranim.scene.layers.ellipses import EllipsesOptions
from clusteranim.scene.layers.eps import EpsOptions
from clusteranim.scene.layers.legend import LegendOptions
from clusteranim.scene.layers.medoids import MedoidsOptions
from clusteranim.scene.layers.objective import ObjectiveOptions
from clusteranim.scene.layers.points import PointsOptions
from clusteranim.scene.layers.regions import RegionsOptions
from clusteranim.scene.layers.title import TitleOptions
from clusteranim.scene.layers.trails import TrailsOptions
from clusteranim.scene.layers.windows import WindowsOptions

LAYERS: dict[str, type[LayerOptions]] = {
    layer.plugin_name(): layer
    for layer in (
        PointsOptions,
        CentroidsOptions,
        TrailsOptions,
        RegionsOptions,
        DensityOptions,
        EllipsesOptions,
        TitleOptions,
        LegendOptions,
        ObjectiveOptions,
        ChangesOptions,
        CaptionOptions,
        BatchOptions,
        MedoidsOptions,
        WindowsOptions,
        CoreOptions,
        EpsOptions,
        DendrogramOptions,
    )
}

__all__ = ["LAYERS", "LayerOptions"]
