"""The outbox: change entries committed with the change they record.

A request's change lives in the main database, the journal in its own
(:mod:`portail.journal`).  A transaction that wrote to both was not atomic
on FileStorage: killed between the two storages' commits, the server left
the change committed and its entry lost (issue 14).  So a change entry is
first written into the *outbox*, an ``OOBTree`` of the main database
(``zodb_root[OUTBOX_KEY]``), in the request's own transaction
(:func:`add`): the change and its entry commit together or not at all, in
one storage.  The journal writer (:mod:`portail.journal.writer`) then
*moves* committed records into the chains, and that is safe to repeat:

1. in one transaction of the journal database, it appends the entries of
   each record not yet moved and marks the record's id as moved in
   ``journal_root[MOVED_KEY]`` (:func:`move`);
2. in one transaction of the main database, it deletes the records it
   handled from the outbox (:func:`delete`): at once when no request waits
   for the next batch, otherwise together with the records of the next
   batches, in one commit (``JournalWriter._clear_when_due``);
3. in a later journal transaction, it forgets the ids that the outbox no
   longer holds (:func:`prune`).

A crash after step 1 leaves records that are already marked: the next move
skips them and deletes them, so no entry is ever written twice, and none is
lost since a record leaves the outbox only once marked.  The writer reads
the journal *before* the outbox in every move (two transaction managers,
begun in that order), which is what makes step 3 safe: an id marked in the
journal's view was put in the outbox before the outbox's view was taken, so
its absence there means it was deleted.

A record's key is a random id, its value the tuple of the
request's entries, in the order the request wrote them, each as the
arguments of :func:`portail.journal.writer.append_entry` after the journal
and its key: ``(chain key, time, uid, dossier id or '', object, action,
level, detail)``.  Requests insert records while the writer deletes
others: the BTree's conflict resolution merges such concurrent changes of
one bucket, except a change that empties the bucket or removes its first
key.  So the tree always holds :data:`SENTINEL`, a key smaller than any
record id, which is never removed: the small outbox of ordinary operation,
one bucket, is never emptied and never loses its first key, and requests
do not conflict with one another or with the writer on it.

Records are moved right after their request's commit, before its response
is sent (a command's, right after its commit); any left by a stopped or
killed process are moved when the portal starts and by every later batch of
the writer.  An erased dossier's records are dropped with the dossier
(:func:`drop_dossier`) and marked :data:`ERASED`, so that a move running at
the same time conflicts with the erasure instead of re-creating the chain.
"""
import secrets

from BTrees.OOBTree import OOBTree

#: the outbox in the main database's root mapping
OUTBOX_KEY = 'portail_journal_outbox'
#: the ids of records already moved, in the journal database's root mapping
MOVED_KEY = 'portail_journal_moved'
#: the outbox's first key, never removed (see above); ids are hexadecimal
SENTINEL = ''
#: what :data:`MOVED_KEY` holds for a record dropped with an erased dossier
ERASED = 'erased'
#: index of the dossier id in an entry
DOSSIER = 3
#: index of the time in an entry
AT = 1

_STATE = '_portail_outbox_record'
_TWEEN = '_portail_outbox_tween'


def create(zodb_root, journal_root):
    """Create the outbox and the moved ids (evolve step 0007)."""
    if OUTBOX_KEY not in zodb_root:
        zodb_root[OUTBOX_KEY] = OOBTree({SENTINEL: ()})
    if MOVED_KEY not in journal_root:
        journal_root[MOVED_KEY] = OOBTree()


def outbox_of(zodb_root):
    """The outbox of a main database's root mapping (``None`` before step 0007)."""
    return zodb_root.get(OUTBOX_KEY)


def moved_of(journal_root):
    """The moved ids of a journal database's root mapping (``None`` before step 0007)."""
    return journal_root.get(MOVED_KEY)


def records(outbox):
    """``(id, entries)`` of the records of ``outbox``."""
    return outbox.items(min=SENTINEL, excludemin=True)


def new_record_id():
    """A new record id (128 random bits, hexadecimal)."""
    return secrets.token_hex(16)


class _RequestRecord:
    """The outbox record of one transaction of a request."""

    __slots__ = ('transaction', 'id', 'entries', 'committed', 'registry', 'db')

    def __init__(self, transaction, registry=None, db=None):
        self.transaction = transaction
        self.id = new_record_id()
        self.entries = []
        self.committed = False
        #: the registry and main database whose writer moves the record once
        #: committed, when no journal tween does it
        self.registry, self.db = registry, db

    def after_commit(self, status):
        self.committed = bool(status)
        if self.committed and self.registry is not None:
            from portail.journal.writer import move_now

            move_now(self.registry, self.id, self.db)


def moved_by_tween(request):
    """Say that the journal tween moves this request's record before the
    response is sent (:func:`portail.journal.writer.journal_tween_factory`).
    The record of any other request (a command's, the demo's) is moved as
    soon as its transaction has committed."""
    request.__dict__[_TWEEN] = True


def add(request, entry):
    """Add ``entry`` to the request's outbox record, in the transaction of
    the connection that loaded the portal root (the request's)."""
    txn = request.root._p_jar.transaction_manager.get()
    record = request.__dict__.get(_STATE)
    if record is None or record.transaction is not txn:
        if request.__dict__.get(_TWEEN):
            record = _RequestRecord(txn)
        else:
            record = _RequestRecord(txn, request.registry, request.root._p_jar.db())
        request.__dict__[_STATE] = record
        txn.addAfterCommitHook(record.after_commit)
    record.entries.append(entry)
    outbox_of(request.root._p_jar.root())[record.id] = tuple(record.entries)


def committed_record(request):
    """The id of the request's outbox record if its transaction committed, else ``None``."""
    record = request.__dict__.get(_STATE)
    return record.id if record is not None and record.committed else None


def pick(outbox, ids=(), limit=500):
    """``(id, entries)`` of the records ``ids`` still in ``outbox`` and of up
    to ``limit`` others, oldest first."""
    picked = {}
    for record_id in ids:
        entries = outbox.get(record_id)
        if entries is not None:
            picked[record_id] = entries
    for count, (record_id, entries) in enumerate(records(outbox)):
        if count >= limit:
            break
        picked[record_id] = entries
    return sorted(picked.items(), key=lambda item: (min(e[AT] for e in item[1]), item[0]))


def move(records, moved, append, exists=lambda dossier: True):
    """Append the entries of ``records`` (from :func:`pick`) not yet ``moved``
    with ``append(*entry)``, mark them moved; return the ids handled (moved
    now or before), to be deleted from the outbox.

    An entry of a dossier that no longer ``exists`` (erased meanwhile) is dropped.
    """
    handled = []
    for record_id, entries in records:
        if record_id not in moved:
            written = []
            for entry in entries:
                if entry[DOSSIER] and not exists(entry[DOSSIER]):
                    continue
                appended = append(*entry)
                written.append(f'{entry[0]}:{appended.seq}')
            moved[record_id] = ' '.join(written)
        handled.append(record_id)
    return handled


def delete(outbox, ids):
    """Delete the records ``ids`` from ``outbox``."""
    for record_id in ids:
        outbox.pop(record_id, None)


def prune(moved, outbox):
    """Forget the moved ids that ``outbox`` no longer holds; return how many.

    ``outbox`` must have been read after ``moved`` (see the module docstring)."""
    gone = [record_id for record_id in moved.keys() if record_id not in outbox]
    for record_id in gone:
        del moved[record_id]
    return len(gone)


def drop_dossier(zodb_root, journal_root, dossier):
    """Drop the outbox entries of the erased ``dossier``, in the erasure's
    transaction: a record of that dossier alone is deleted and marked
    :data:`ERASED`; the other entries of a record are kept under a new id.
    Return the count of entries dropped."""
    outbox, moved = outbox_of(zodb_root), moved_of(journal_root)
    if outbox is None:
        return 0
    dropped = 0
    for record_id, entries in list(records(outbox)):
        kept = tuple(e for e in entries if e[DOSSIER] != dossier)
        if len(kept) == len(entries):
            continue
        dropped += len(entries) - len(kept)
        del outbox[record_id]
        if moved is not None and record_id not in moved:
            moved[record_id] = ERASED
        if kept:
            outbox[new_record_id()] = kept
    return dropped


def waiting(zodb_root):
    """``(records, entries, oldest time or None)`` of the outbox."""
    outbox = outbox_of(zodb_root)
    if outbox is None:
        return 0, 0, None
    count = entries = 0
    oldest = None
    for _record_id, values in records(outbox):
        count += 1
        entries += len(values)
        first = min(e[AT] for e in values)
        oldest = first if oldest is None else min(oldest, first)
    return count, entries, oldest


def backlog(zodb_root, limit):
    """``(records, oldest time or None, complete)`` of the first ``limit``
    records of the outbox (bounded work, for the health check): ``complete``
    is false when it holds more, then the oldest is that of those looked at."""
    outbox = outbox_of(zodb_root)
    if outbox is None:
        return 0, None, True
    count = 0
    oldest = None
    for _record_id, values in records(outbox):
        if count == limit:
            return count, oldest, False
        count += 1
        first = min(e[AT] for e in values)
        oldest = first if oldest is None else min(oldest, first)
    return count, oldest, True
