"""Ordered indexes: the keys of a listing in display order, read a page at a time.

A listing that grows with the département (the secretary's entry queue, the
CLI worklist) reads one page of an :class:`OrderedIndex` kept up to date on
write, never all of its rows: :meth:`OrderedIndex.slice` iterates from the
first key and stops at the end of the page, so the buckets after it are
never loaded (indexing or slicing a tree's ``keys()`` would load all of them
to compute their length first, as ``len()`` of a tree does); the total comes
from a ``BTrees.Length``, whose concurrent changes ZODB merges without a
conflict.

Keys hold opaque ids and times only, never personal data.  Times are stored
as integers (:func:`time_key`): microseconds since the epoch, negated for a
newest-first listing, since a BTree is read in ascending order only.
"""
from datetime import UTC, datetime, timedelta
from itertools import islice

from BTrees.Length import Length
from BTrees.OOBTree import OOTreeSet
from persistent import Persistent

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def time_key(moment, newest_first=False):
    """``moment`` (an aware datetime) as an integer that sorts as time does
    (or in reverse with ``newest_first``)."""
    micros = (moment - EPOCH) // _MICROSECOND
    return -micros if newest_first else micros


def time_of(key):
    """The aware UTC datetime of a :func:`time_key` (either direction)."""
    return EPOCH + abs(key) * _MICROSECOND


class OrderedIndex(Persistent):
    """A sorted set of keys with a conflict-free count.

    The object itself never changes once created (only its tree and counter
    do), so concurrent writers never conflict on it.
    """

    def __init__(self):
        self.entries = OOTreeSet()
        self._count = Length()

    def __len__(self):
        return self._count()

    def __contains__(self, key):
        return key in self.entries

    def __iter__(self):
        """Every key, in order (maintenance and tests; a page uses :meth:`slice`)."""
        return iter(self.entries)

    def add(self, key):
        """Insert ``key`` (nothing happens if it is there already)."""
        if self.entries.insert(key):
            self._count.change(1)

    def discard(self, key):
        """Remove ``key`` if it is there."""
        if key in self.entries:
            self.entries.remove(key)
            self._count.change(-1)

    def slice(self, start, size):
        """The keys at positions ``start`` to ``start + size`` (excluded), in order.

        The keys before ``start`` are stepped over (the first page costs
        nothing for them); the buckets after the slice are never loaded."""
        if start >= len(self) or size <= 0:
            return []
        return list(islice(self.entries, start, start + size))
