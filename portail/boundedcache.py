"""A small, thread-safe, least-recently-used mapping for what a process keeps
in memory between requests (the protected statistics tables,
:mod:`portail.statistics.cache`; the sections of the main menu,
:mod:`portail.menu`).

It only bounds and orders; what may be kept, and under which key, is each
user's business (their module docstrings say why their keys are enough).
Nothing here is ever written to a database.
"""
import threading
from collections import OrderedDict

_MISSING = object()


class BoundedCache:
    """A thread-safe mapping that keeps its ``maxsize`` most recently used entries."""

    def __init__(self, maxsize):
        self.maxsize = maxsize
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            value = self._items.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._items.move_to_end(key)
            return value

    def put(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def clear(self):
        with self._lock:
            self._items.clear()

    def __len__(self):
        return len(self._items)
