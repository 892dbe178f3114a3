"""Data sources, registered by the name that ``data.generator`` selects."""

from __future__ import annotations

from clusteranim.data.anisotropic import AnisotropicOptions
from clusteranim.data.base import DataOptions, Dataset
from clusteranim.data.blobs import BlobsOptions
from clusteranim.data.circles import CirclesOptions
from clusteranim.data.file import FileOptions
from clusteranim.data.gaussian_mixture import GaussianMixtureDataOptions
from clusteranim.data.moons import MoonsOptions
from clusteranim.data.uniform_clusters import UniformClustersOptions
from clusteranim.data.varied import VariedOptions

GENERATORS: dict[str, type[DataOptions]] = {
    source.plugin_name(): source
    for source in (
        BlobsOptions,
        GaussianMixtureDataOptions,
        UniformClustersOptions,
        MoonsOptions,
        CirclesOptions,
        AnisotropicOptions,
        VariedOptions,
        FileOptions,
    )
}

__all__ = ["GENERATORS", "DataOptions", "Dataset"]
