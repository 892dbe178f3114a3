"""Data sources, registered by the name that ``data.generator`` selects."""

from __future__ import annotations

from clusteranim.data.anisotropic import AnisotropicData
from clusteranim.data.base import DataOptions, Dataset
from clusteranim.data.blobs import BlobsOptions
from clusteranim.data.circles import CirclesData
from clusteranim.data.file import FileData
from clusteranim.data.gaussian_mixture import GaussianMixtureData
from clusteranim.data.moons import MoonsData
from clusteranim.data.uniform_clusters import UniformClustersData
from clusteranim.data.varied import VariedData

GENERATORS: dict[str, type[DataOptions]] = {
    source.plugin_name(): source
    for source in (
        BlobsOptions,
        GaussianMixtureData,
        UniformClustersData,
        MoonsData,
        CirclesData,
        AnisotropicData,
        VariedData,
        FileData,
    )
}

__all__ = ["GENERATORS", "DataOptions", "Dataset"]
