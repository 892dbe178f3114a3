"""The array types every layer of the package speaks in."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: Coordinates, parameters and weights.
FloatArray = NDArray[np.float64]
#: Indices and cluster labels (signed: -1 marks noise).
IntArray = NDArray[np.intp]
#: True/false per point or per cluster.
BoolArray = NDArray[np.bool_]
