"""A contract's history: an append-only sequence of records whose append
writes a bounded amount however long the history (issue 20, performance).

:class:`History` holds the :class:`~portail.workflow.engine.HistoryRecord`
lines of one contract, oldest first, in *chunks* of :data:`CHUNK_SIZE`
records.  Each chunk is its own persistent object (a ``PersistentList``);
the history itself holds only the plain list of its chunks, that is one
persistent reference per chunk.  Every chunk but the last is full, so the
length is ``(chunks - 1) * CHUNK_SIZE + len(last chunk)`` and is not
stored: an append writes the history object only when it starts a chunk.

Why: the history used to be one ``PersistentList``, which ZODB pickles and
writes whole whenever it changes, so every transition rewrote every earlier
line (11 to 15 µs a record, 6.9 ms at 400 records).

The cost of an append: the last chunk (at most :data:`CHUNK_SIZE` records,
some 100 bytes each pickled, more with a comment), and once every
:data:`CHUNK_SIZE` appends the history object too (a new chunk and the list
of references, about 20 bytes a chunk: some 500 bytes at 400 records).
Measured on a FileStorage with 300 to 400 lines of about 100 bytes, an
append adds about 1.1 KB to the file where the single list added about 33 KB
(``tests/test_history.py`` checks that it does not grow with the length).
Changing a line in place (``history[i] = record``, the erasure of comments)
writes its chunk.  Reading a line loads the history and the one chunk that
holds it; iterating loads the chunks one after the other.

Why not ``BTrees.IOBTree`` (position -> record)?  Its append writes the
bucket of the last key, and an IOBTree bucket holds up to 60 records: a
tree of one bucket keeps it inside its own pickle until it splits, and
buckets split in half, so an append rewrites 30 to 60 records (about 4.1 KB
an append in the same measure): bounded, but four times a chunk of 16, for
a sequence whose keys are exactly 0..n-1 and never removed.  An IOBTree's
``len()`` also walks all its buckets.  The chunk list needs neither keys
nor splits: the position of a record gives its chunk and its place in it.

The history behaves like the list it replaces for the uses of the portal:
``append``, ``len``, ``bool``, iteration, ``reversed``, indexing with
negative indexes and slices, ``history[i] = record``, ``in``, equality with
a list.  Records are never removed (a history is append-only; an erasure
blanks comments in place).  A contract of an older database holds a
``PersistentList`` instead until the evolve step
``0020-chunk-contract-histories`` converts it (:func:`from_records`); both
answer the same uses.
"""
import operator

from persistent import Persistent
from persistent.list import PersistentList

#: records per chunk: what an append writes at most
CHUNK_SIZE = 16


class History(Persistent):
    """The lines of one contract's history, oldest first (module docstring)."""

    def __init__(self, records=()):
        #: the chunks, oldest first; every one but the last holds CHUNK_SIZE records
        self._chunks = []
        for record in records:
            self.append(record)

    def append(self, record):
        """Add ``record`` at the end: writes the last chunk only (and the
        history itself when a new chunk is started)."""
        chunks = self._chunks
        if not chunks or len(chunks[-1]) >= CHUNK_SIZE:
            chunks.append(PersistentList())
            self._p_changed = True
        chunks[-1].append(record)

    def extend(self, records):
        for record in records:
            self.append(record)

    def __len__(self):
        chunks = self._chunks
        if not chunks:
            return 0
        return (len(chunks) - 1) * CHUNK_SIZE + len(chunks[-1])

    def __bool__(self):
        return bool(self._chunks)

    def __iter__(self):
        for chunk in self._chunks:
            yield from chunk

    def __reversed__(self):
        for chunk in reversed(self._chunks):
            yield from reversed(chunk)

    def _locate(self, index):
        """``(chunk, place)`` of the record at ``index`` (negative: from the end)."""
        length = len(self)
        if index < 0:
            index += length
        if not 0 <= index < length:
            raise IndexError('history index out of range')
        return self._chunks[index // CHUNK_SIZE], index % CHUNK_SIZE

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        chunk, place = self._locate(operator.index(index))
        return chunk[place]

    def __setitem__(self, index, record):
        """Replace one line (an erasure blanking its comment); writes its chunk."""
        chunk, place = self._locate(operator.index(index))
        chunk[place] = record

    def __contains__(self, record):
        return any(line == record for line in self)

    def __eq__(self, other):
        if isinstance(other, (History, list, PersistentList)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return f'<History of {len(self)} records in {len(self._chunks)} chunks>'


def from_records(records):
    """A :class:`History` holding ``records`` in order (an older contract's
    ``PersistentList`` converted by the evolve step)."""
    return History(records)
