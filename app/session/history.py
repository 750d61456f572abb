"""The loss history of a session: a fixed amount of memory however long the run.

Each update appends one record. When the buffer is full, the older half is thinned to every
other record, so a long run keeps its whole shape at a coarser grain and the recent steps at
full detail.
"""

import numpy as np

FIELDS = ("step", "data_loss", "reg_loss", "total_loss", "accuracy", "batch_loss")


class LossHistory:
    """Records of (step, data loss, regularization loss, total loss, accuracy, batch loss)."""

    def __init__(self, capacity=2000):
        if capacity < 4:
            raise ValueError("a loss history needs room for at least 4 records")
        self.capacity = capacity
        self._records = np.empty((capacity, len(FIELDS)))
        self._size = 0
        self.version = 0
        """Changes whenever records other than the newest are rewritten (cleared or thinned), so
        a view knows to redraw all of it instead of appending."""

    def __len__(self):
        return self._size

    def clear(self):
        self._size = 0
        self.version += 1

    def append(self, step, data_loss, reg_loss, total_loss, accuracy, batch_loss=np.nan):
        if self._size == self.capacity:
            self._thin()
        self._records[self._size] = (step, data_loss, reg_loss, total_loss, accuracy, batch_loss)
        self._size += 1

    def _thin(self):
        half = self.capacity // 2
        older = self._records[:half][::2]
        newer = self._records[half:self._size].copy()
        self._records[:len(older)] = older
        self._records[len(older):len(older) + len(newer)] = newer
        self._size = len(older) + len(newer)
        self.version += 1

    def columns(self, start=0):
        """The records from `start` on, as a dict of arrays by field name."""
        rows = self._records[start:self._size]
        return {name: rows[:, i].copy() for i, name in enumerate(FIELDS)}
