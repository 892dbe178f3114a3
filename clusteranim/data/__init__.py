"""Data sources, registered by the name that ``data.generator`` selects."""

from __future__ import annotations

from clusteranim.data.base import DataOptions, Dataset
from clusteranim.data.blobs import BlobsOptions

GENERATORS: dict[str, type[DataOptions]] = {source.plugin_name(): source for source in (BlobsOptions,)}

__all__ = ["GENERATORS", "DataOptions", "Dataset"]
