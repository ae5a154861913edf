"""Group commit of the journal's entries, and the move of the outbox.

Every page that shows level 2 or 3 data appends a *read* entry to the
journal (docs/domain.md, *Access journal*).  Committed one request at a time, each of those entries
cost a transaction of the journal database with its ``fsync``, and
FileStorage holds its locks during the ``fsync``: ``make bench`` found the
server's threads waiting for one another on the journal's storage half of
the time while opening dossiers.

So a request collects its reads (:func:`defer_read`) and, once its own
transaction has committed, hands them to the process's
:class:`JournalWriter` and waits until they are committed (the tween
:func:`journal_tween_factory`, outside ``pyramid_tm``).  The first waiting
thread commits everything queued so far in one transaction; the threads
arriving meanwhile queue theirs for the next one (*group commit*).

Entries of *changes* are written by the request into the outbox of the main
database, in the request's own transaction (:mod:`portail.journal.outbox`):
a change and its entry commit together or not at all, in one storage.  The
tween hands the committed record to the writer with the reads, and the same
batch moves it into the chains; every batch also moves the records left by
a process that stopped before moving its own, and so does the portal when
it starts (:func:`drain`).  No transaction ever writes to both databases.
Nothing is lost:

- a page is sent only once its read entries and the entries of its changes
  are committed in the journal; if its reads cannot be (the journal
  database is down), the page is replaced by an error page, so nothing is
  shown that the journal does not record.  A change whose entries cannot be
  moved is answered as usual: it is committed, and its entries wait in the
  outbox for the next batch;
- a request whose transaction does not commit (a refusal, an error, a
  conflict that ``pyramid_retry`` will retry) journals nothing: a retried
  request journals its reads and changes once;
- entries are chained in the order they are moved, each chain's hashes
  computed in the writer's transaction, which is retried on a conflict with
  another process.  An entry keeps the time of its action, so an entry
  moved late (a read that waited for its batch, a change drained at start-up)
  may follow entries a little more recent in its chain (the purge, which
  stops at the first recent entry of a chain, keeps such an entry that much
  longer).
"""
import functools
import logging
import threading
import time
from html import escape

import transaction
from pyramid.events import ApplicationCreated
from pyramid.response import Response
from ZODB.POSException import ConflictError

from portail.acl import roles as R
from portail.acl.localroles import works_for_the_person
from portail.acl.roles import granted_roles
from portail.clock import utcnow
from portail.journal import activity, outbox
from portail.journal.key import journal_key_of
from portail.journal.model import JOURNAL_DB, ROOT_KEY, chain_key
from portail.models.index import index_add
from portail.models.root import ROOT_KEY as PORTAL_KEY

log = logging.getLogger(__name__)

#: how many times a batch is tried against conflicting commits
ATTEMPTS = 10
#: how many records left in the outbox one batch moves besides its own
LEFTOVERS = 500
#: moved records deleted from the outbox at the latest once this many wait...
CLEAR_AFTER_RECORDS = 64
#: ...or once the oldest has waited this long (seconds; a process's interval,
#: not a time of the portal's clock)
CLEAR_AFTER_SECONDS = 0.5
_READS = '_portail_deferred_reads'
_COMMITTED = '_portail_reads_committed'


class JournalUnavailable(Exception):
    """The entries of a batch could not be committed to the journal."""


def append_entry(journal, journal_key, key, at, uid, dossier, obj, action, level, detail,
                 outside=False):
    """Append one entry, sealed with ``journal_key``, to chain ``key`` of
    ``journal``, index it and count it in its account's day
    (:mod:`portail.journal.activity`; ``outside``: a read by an account that
    did not work for the person)."""
    entry = journal.chain(key).append(journal_key, at.isoformat(), uid, dossier or '', obj,
                                      action, level, detail)
    index_add(journal.by_user, uid, key)
    index_add(journal.by_day, at.date().isoformat(), key)
    activity.count(journal, at, uid, dossier, action, level, outside)
    return entry


class _Batch:
    """Read entries and outbox records committed together, and how that went."""

    __slots__ = ('entries', 'records', 'done', 'error')

    def __init__(self):
        self.entries = []
        self.records = []
        self.done = False
        self.error = None


class InFlight:
    """How many requests of a process are inside the journal's tween."""

    def __init__(self):
        self.count = 0
        self._lock = threading.Lock()

    def enter(self):
        with self._lock:
            self.count += 1

    def leave(self):
        """Count one request out; return how many are still in."""
        with self._lock:
            self.count -= 1
            return self.count


class JournalWriter:
    """Commits queued read entries and moves the outbox, one batch at a time.

    :meth:`write` blocks until the entries and records given are committed
    in the journal.  One of the waiting threads (the *leader*) commits the
    batch with the writer's own connections; the others wait on a condition.
    A batch not yet taken by a leader is :attr:`_filling`; while one is
    committed, newcomers join the next.

    ``db`` is the journal database; the outbox is read from the main
    database of the same group (``db.databases['']``), if there is one.
    Each database has its own connection and transaction manager, and the
    journal's transaction always begins first (:mod:`portail.journal.outbox`).
    """

    def __init__(self, db, journal_key):
        self.db = db
        main = db.databases.get('')
        self.main_db = main if main is not db else None
        self.journal_key = journal_key
        self.condition = threading.Condition()
        self._filling = None
        self.committing = False
        self.connection = None
        self.main_connection = None
        # implicit, so that closing the database can abort them between batches
        self.tm = transaction.TransactionManager()
        self.main_tm = transaction.TransactionManager()
        #: figures for the benchmark and the tests
        self.batches = 0
        self.entries = 0
        self.records = 0
        #: records the last batch moved or found moved
        self.last_handled = 0
        #: whether the last batch failed (the health check reports it)
        self.failing = False
        #: ids of records moved by a batch and not yet deleted from the
        #: outbox, and the ``time.monotonic()`` of the oldest (:meth:`_clear_when_due`)
        self._to_clear = set()
        self._to_clear_since = None
        #: commits of the main database that deleted moved records
        self.clears = 0
        #: the requests of this process inside the journal's tween
        #: (:func:`journal_writer` gives the registry's)
        self.in_flight = InFlight()

    def write(self, entries, records=()):
        """Commit ``entries`` (tuples for :func:`append_entry` after the
        journal and its key) and move the outbox ``records`` (ids), with any
        other record left in the outbox; return once they are in the
        journal, or raise :class:`JournalUnavailable`."""
        with self.condition:
            batch = self._filling
            if batch is None:
                batch = self._filling = _Batch()
            batch.entries.extend(entries)
            batch.records.extend(records)
            while not batch.done:
                if not self.committing:
                    # a batch not done while nothing commits was never taken:
                    # it is still the filling one, ours to commit
                    self._filling = None
                    self.committing = True
                    break
                self.condition.wait()
            else:
                return self._outcome(batch)
        handled = ()
        try:
            try:
                handled = self._commit(batch.entries, batch.records)
                self.failing = False
            except Exception as exc:  # noqa: BLE001 (reported to every writer of the batch)
                self.failing = True
                log.critical('The journal could not record %d read entries and %d outbox '
                             'records', len(batch.entries), len(batch.records), exc_info=True)
                batch.error = exc
            except BaseException as exc:  # the thread is being stopped: release the others
                batch.error = exc
                raise
            finally:
                with self.condition:
                    batch.done = True
                    self.condition.notify_all()
            self._clear_when_due(handled)
        finally:
            with self.condition:
                self.committing = False
                self.condition.notify_all()
        return self._outcome(batch)

    def _clear_when_due(self, handled):
        """Note the records ``handled`` by the leader's batch, and delete
        every noted record from the outbox when it is due: when no request
        waits for the next batch, or when :data:`CLEAR_AFTER_RECORDS` are
        noted, or the oldest was noted :data:`CLEAR_AFTER_SECONDS` ago.

        Under load other requests are in flight and will reach the writer,
        so the deletions of several batches share one commit of the main
        database instead of one each (issue 20: a transition's POST made a
        commit of its own for this); the last request to leave the tween
        deletes what is left (:func:`journal_tween_factory`).  A record
        waiting to be deleted is already marked moved in the journal, as
        after a crash between the two steps (:mod:`portail.journal.outbox`):
        later batches skip it, and a process stopped meanwhile leaves it to
        the next start's drain.  A lone request deletes its record before its
        response, as before."""
        now = time.monotonic()
        if handled and not self._to_clear:
            self._to_clear_since = now
        self._to_clear.update(handled)
        if not self._to_clear or self.main_connection is None:
            return
        with self.condition:
            # the leader's own request is one of those in flight
            idle = self._filling is None and self.in_flight.count <= 1
        if not (idle or len(self._to_clear) >= CLEAR_AFTER_RECORDS
                or now - self._to_clear_since >= CLEAR_AFTER_SECONDS):
            return
        ids, self._to_clear = list(self._to_clear), set()
        self._clear(ids)

    def deletions_put_off(self):
        """Whether moved records wait to be deleted from the outbox."""
        return bool(self._to_clear)

    @staticmethod
    def _outcome(batch):
        if batch.error is not None:
            raise JournalUnavailable() from batch.error

    def _open(self):
        if self.connection is None:
            self.connection = self.db.open(transaction_manager=self.tm)
        if self.main_db is not None and self.main_connection is None:
            self.main_connection = self.main_db.open(transaction_manager=self.main_tm)

    def _commit(self, entries, records=()):
        """Append ``entries`` and move the outbox in one journal transaction;
        return the ids of the records handled."""
        self._open()
        for attempt in range(ATTEMPTS):
            try:
                self.tm.begin()
                if self.main_connection is not None:
                    self.main_tm.begin()  # after the journal's: see portail.journal.outbox
                journal_root = self.connection.root()
                journal = journal_root[ROOT_KEY]
                exists = self._dossier_exists()

                append = functools.partial(append_entry, journal, self.journal_key)
                handled = self._move(journal_root, records, append, exists)
                for entry in entries:
                    if not entry[outbox.DOSSIER] or exists(entry[outbox.DOSSIER]):
                        append(*entry)
                self.tm.commit()
            except ConflictError:
                self._abort()
                if attempt == ATTEMPTS - 1:
                    raise
                time.sleep(0.001 * 2 ** min(attempt, 6))
            except BaseException:
                self._abort()
                self._reopen()
                raise
            else:
                self._abort()
                self.batches += 1
                self.entries += len(entries)
                self.records += len(handled)
                self.last_handled = len(handled)
                return handled

    def _abort(self):
        self.tm.abort()
        self.main_tm.abort()

    def _dossier_exists(self):
        """``exists(dossier id)`` in the main database's view, or always true
        without a main database."""
        if self.main_connection is None:
            return lambda dossier: True
        portal = self.main_connection.root().get(PORTAL_KEY)
        if portal is None:
            return lambda dossier: True
        return portal.dossiers.__contains__

    def _move(self, journal_root, records, append, exists):
        if self.main_connection is None:
            return []
        box = outbox.outbox_of(self.main_connection.root())
        moved = outbox.moved_of(journal_root)
        if box is None or moved is None:
            return []
        outbox.prune(moved, box)
        return outbox.move(outbox.pick(box, records, LEFTOVERS), moved, append, exists)

    def _clear(self, ids):
        """Delete the records ``ids``, now in the journal, from the outbox.
        If that fails they stay there, marked moved, for a later batch."""
        for attempt in range(ATTEMPTS):
            try:
                self.main_tm.begin()
                outbox.delete(outbox.outbox_of(self.main_connection.root()), ids)
                self.main_tm.commit()
            except ConflictError:
                self.main_tm.abort()
                time.sleep(0.001 * 2 ** min(attempt, 6))
            except Exception:  # noqa: BLE001 (a later batch deletes them)
                self.main_tm.abort()
                log.warning('%d moved records could not be deleted from the outbox yet',
                            len(ids), exc_info=True)
                self._reopen()
                return
            except BaseException:
                self.main_tm.abort()
                raise
            else:
                self.clears += 1
                return
        log.warning('%d moved records could not be deleted from the outbox yet', len(ids))

    def _reopen(self):
        """Drop the connections after an unexpected error (new ones next time)."""
        for name in ('connection', 'main_connection'):
            connection = getattr(self, name)
            setattr(self, name, None)
            if connection is not None:
                try:
                    connection.close()
                except Exception:  # noqa: BLE001 (the connection is discarded anyway)
                    log.warning('Closing a journal writer connection failed', exc_info=True)


#: guards the creation of a registry's writer and of its count of requests in flight
_CREATING = threading.Lock()


def journal_writer(registry, main_db=None):
    """The process's writer for the journal database of ``registry`` (or,
    for a registry without databases, such as the benchmark generator's, of
    ``main_db``'s group)."""
    writer = getattr(registry, 'portail_journal_writer', None)
    if writer is None:
        requests = in_flight(registry)  # before the lock: it takes it too
        with _CREATING:
            writer = getattr(registry, 'portail_journal_writer', None)
            if writer is None:
                databases = getattr(registry, '_zodb_databases', None) or main_db.databases
                db = databases[JOURNAL_DB]
                writer = JournalWriter(db, journal_key_of(registry))
                writer.in_flight = requests
                registry.portail_journal_writer = writer
    return writer


def in_flight(registry):
    """The :class:`InFlight` count of ``registry``'s requests."""
    counter = getattr(registry, 'portail_requests_in_flight', None)
    if counter is None:
        with _CREATING:
            counter = getattr(registry, 'portail_requests_in_flight', None)
            if counter is None:
                counter = registry.portail_requests_in_flight = InFlight()
    return counter


def drain(registry):
    """Move every record left in the outbox into the journal (batches of
    :data:`LEFTOVERS`); raise :class:`JournalUnavailable` if that fails."""
    writer = journal_writer(registry)
    while True:
        writer.write([])
        if writer.last_handled < LEFTOVERS:
            return


def move_now(registry, record_id, main_db=None):
    """Move the committed outbox record ``record_id`` of a command or of the
    demo (no tween does it); if the journal cannot take it now, a later
    batch will."""
    try:
        journal_writer(registry, main_db).write([], [record_id])
    except JournalUnavailable:
        log.error('Outbox record %s left for a later batch of the journal writer', record_id)


def has_leftovers(registry):
    """Whether the outbox of ``registry``'s main database holds records."""
    databases = getattr(registry, '_zodb_databases', {})
    if '' not in databases or JOURNAL_DB not in databases:
        return False
    tm = transaction.TransactionManager(explicit=True)
    conn = databases[''].open(transaction_manager=tm)
    try:
        tm.begin()
        box = outbox.outbox_of(conn.root())
        return box is not None and any(outbox.records(box))
    finally:
        tm.abort()
        conn.close()


def drain_at_start(event):
    """When the portal starts, move what a stopped or killed process left in
    the outbox, before the first request.  If the journal cannot take it
    now, the first batch of the writer will."""
    registry = event.app.registry
    try:
        if has_leftovers(registry):
            drain(registry)
    except Exception:  # noqa: BLE001 (the records stay in the outbox)
        log.error('The outbox could not be moved into the journal at start-up', exc_info=True)


def defer_read(request, dossier, obj, action, level, detail=''):
    """Queue a read entry of this request, committed after the request's own
    transaction (see the module docstring)."""
    reads = request.__dict__.get(_READS)
    if reads is None:
        reads = request.__dict__[_READS] = []
        committed = request.__dict__[_COMMITTED] = []
        request.tm.get().addAfterCommitHook(committed.append)
    uid = request.authenticated_userid or 'system'
    key = chain_key(dossier, uid)
    now = utcnow(request.registry)
    reads.append((key, now, uid, dossier, obj, action, level, detail,
                  reads_outside_caseload(request, dossier, uid, now)))


#: the roles whose reads of a file are expected to be of their own caseload
#: (a secretary's or a CLI facilitator's role is to read the district's
#: contracts or shared summaries)
CASELOAD_ROLES = frozenset({R.WORKER, R.MANAGER})


def reads_outside_caseload(request, dossier_id, uid, now):
    """Whether ``uid``, a social worker or a manager, reads the dossier
    ``dossier_id`` without working for the person (neither référent nor
    active delegate): what the DPO's unusual-access report lists
    (:mod:`portail.journal.activity`)."""
    if not dossier_id:
        return False
    dossier = request.root.dossiers.get(dossier_id)
    user = request.root.users.get(uid)
    if dossier is None or user is None or not CASELOAD_ROLES & set(granted_roles(user)):
        return False
    return not works_for_the_person(dossier, user, uid, now)


def journal_tween_factory(handler, registry):
    """Outside ``pyramid_tm``: once the request's transaction has committed,
    commit its read entries and move its change entries before the page is sent."""

    requests = in_flight(registry)

    def journal_tween(request):
        requests.enter()
        try:
            return journal_request(request)
        finally:
            if requests.leave() == 0:
                delete_moved_records(registry)

    def journal_request(request):
        outbox.moved_by_tween(request)
        response = handler(request)
        reads = request.__dict__.get(_READS)
        if request.__dict__.get(_COMMITTED) != [True]:
            reads = None
        record = outbox.committed_record(request)
        if reads or record:
            try:
                journal_writer(request.registry).write(reads or [], [record] if record else [])
            except JournalUnavailable:
                if reads:
                    return unavailable_response(request)
                # the change is committed, its entries wait in the outbox
        return response

    return journal_tween


def delete_moved_records(registry):
    """Once no request is in flight, delete from the outbox the moved records
    whose deletion was put off (:meth:`JournalWriter._clear_when_due`), with
    an empty batch of the writer."""
    writer = getattr(registry, 'portail_journal_writer', None)
    if writer is None or not writer.deletions_put_off():
        return
    try:
        writer.write([])
    except JournalUnavailable:
        pass  # marked moved: a later batch deletes them


def unavailable_response(request):
    """The page that replaces one whose reads could not be journaled.

    A plain page: the request's transaction is over, so nothing of the
    database is read to build it."""
    from portail.i18n import _

    translate = request.localizer.translate
    title = translate(_('Service unavailable'))
    message = translate(_(
        'The access journal cannot record this consultation right now, so the page is '
        'not shown. Please try again in a moment.'))
    body = (f'<!DOCTYPE html><html lang="{request.locale_name}"><head><meta charset="utf-8">'
            f'<title>{escape(title)} — Portail</title></head><body><main><h1>{escape(title)}'
            f'</h1><p>{escape(message)}</p></main></body></html>')
    return Response(body, status=503, content_type='text/html', charset='utf-8')


def includeme(config):
    config.include('portail.journal.key')
    config.include('portail.journal.deriver')
    config.add_subscriber(drain_at_start, ApplicationCreated)
    config.add_tween('portail.journal.writer.journal_tween_factory',
                     over='pyramid_tm.tm_tween_factory')
