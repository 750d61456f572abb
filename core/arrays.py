"""Read-only arrays: what one session holds and another may share can be replaced, never
changed in place."""

import numpy as np


def read_only(values, dtype=float, shape=None) -> np.ndarray:
    """A new array of ``values`` (as ``dtype``, reshaped to ``shape`` if given) that cannot be
    written to."""
    array = np.array(values, dtype=dtype)
    if shape is not None:
        array = array.reshape(shape)
    array.setflags(write=False)
    return array
