"""Group commit of the journal's read entries.

Every page that shows level 2 or 3 data appends a *read* entry to the
journal (SPEC §6).  Committed one request at a time, each of those entries
cost a transaction of the journal database with its ``fsync``, and
FileStorage holds its locks during the ``fsync``: ``make bench`` found the
server's threads waiting for one another on the journal's storage half of
the time while opening dossiers.

So a request collects its reads (:func:`defer_read`) and, once its own
transaction has committed, hands them to the process's
:class:`JournalWriter` and waits until they are committed (the tween
:func:`journal_tween_factory`, outside ``pyramid_tm``).  The first waiting
thread commits everything queued so far in one transaction; the threads
arriving meanwhile queue theirs for the next one (*group commit*).  Nothing
is lost:

- a page is sent only once its read entries are committed; if they cannot
  be (the journal database is down), the page is replaced by an error page,
  so nothing is shown that the journal does not record;
- a request whose transaction does not commit (a refusal, an error, a
  conflict that ``pyramid_retry`` will retry) journals no read: a retried
  request journals its reads once;
- entries are chained in the order they are committed, each chain's hashes
  computed in the writer's transaction, which is retried on a conflict with
  another process or with a change entry written inside a request's
  transaction.  An entry keeps the time of the read, so a change committed
  while a read waited for its batch may precede it in the chain with a time
  a few milliseconds later (the purge, which stops at the first recent
  entry of a chain, keeps such a read that much longer).

Entries of *changes* are not deferred: they are written in the request's
own transaction (:func:`portail.journal.record.record`), so that a change
and its entry commit together or not at all.
"""
import logging
import threading
import time
from html import escape

import transaction
from pyramid.response import Response
from ZODB.POSException import ConflictError

from portail.clock import utcnow
from portail.journal.key import journal_key_of
from portail.journal.model import JOURNAL_DB, ROOT_KEY, chain_key
from portail.models.index import index_add

log = logging.getLogger(__name__)

#: how many times a batch is tried against conflicting commits
ATTEMPTS = 10
_READS = '_portail_deferred_reads'
_COMMITTED = '_portail_reads_committed'


class JournalUnavailable(Exception):
    """The read entries of a request could not be committed."""


def append_entry(journal, journal_key, key, at, uid, dossier, obj, action, level, detail):
    """Append one entry, sealed with ``journal_key``, to chain ``key`` of
    ``journal`` and index it."""
    entry = journal.chain(key).append(journal_key, at.isoformat(), uid, dossier or '', obj,
                                      action, level, detail)
    index_add(journal.by_user, uid, key)
    index_add(journal.by_day, at.date().isoformat(), key)
    return entry


class _Batch:
    """Read entries committed together, and how that went."""

    __slots__ = ('entries', 'done', 'error')

    def __init__(self):
        self.entries = []
        self.done = False
        self.error = None


class JournalWriter:
    """Commits queued read entries in batches, one batch at a time.

    :meth:`write` blocks until the entries given are committed.  One of the
    waiting threads (the *leader*) commits the batch with the writer's own
    connection; the others wait on a condition.  A batch not yet taken by a
    leader is :attr:`_filling`; while one is committed, newcomers join the
    next.
    """

    def __init__(self, db, journal_key):
        self.db = db
        self.journal_key = journal_key
        self.condition = threading.Condition()
        self._filling = None
        self.committing = False
        self.connection = None
        # implicit, so that closing the database can abort it between batches
        self.tm = transaction.TransactionManager()
        #: figures for the benchmark and the tests
        self.batches = 0
        self.entries = 0

    def write(self, entries):
        """Commit ``entries`` (tuples for :func:`append_entry` after the
        journal and its key); return once they are, or raise :class:`JournalUnavailable`."""
        with self.condition:
            batch = self._filling
            if batch is None:
                batch = self._filling = _Batch()
            batch.entries.extend(entries)
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
        try:
            self._commit(batch.entries)
        except Exception as exc:  # noqa: BLE001 (reported to every writer of the batch)
            log.critical('The journal could not record %d read entries', len(batch.entries),
                         exc_info=True)
            batch.error = exc
        except BaseException as exc:  # the thread is being stopped: release the others
            batch.error = exc
            raise
        finally:
            with self.condition:
                batch.done = True
                self.committing = False
                self.condition.notify_all()
        return self._outcome(batch)

    @staticmethod
    def _outcome(batch):
        if batch.error is not None:
            raise JournalUnavailable() from batch.error

    def _commit(self, entries):
        if self.connection is None:
            self.connection = self.db.open(transaction_manager=self.tm)
        for attempt in range(ATTEMPTS):
            self.tm.begin()
            try:
                journal = self.connection.root()[ROOT_KEY]
                for entry in entries:
                    append_entry(journal, self.journal_key, *entry)
                self.tm.commit()
            except ConflictError:
                self.tm.abort()
                if attempt == ATTEMPTS - 1:
                    raise
                time.sleep(0.001 * 2 ** min(attempt, 6))
            except BaseException:
                self.tm.abort()
                self._reopen()
                raise
            else:
                self.batches += 1
                self.entries += len(entries)
                return

    def _reopen(self):
        """Drop the connection after an unexpected error (a new one next time)."""
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 (the connection is discarded anyway)
                log.warning('Closing the journal writer connection failed', exc_info=True)


#: guards the creation of a registry's writer
_CREATING = threading.Lock()


def journal_writer(registry):
    """The process's writer for the journal database of ``registry``."""
    writer = getattr(registry, 'portail_journal_writer', None)
    if writer is None:
        with _CREATING:
            writer = getattr(registry, 'portail_journal_writer', None)
            if writer is None:
                db = registry._zodb_databases[JOURNAL_DB]
                writer = registry.portail_journal_writer = JournalWriter(
                    db, journal_key_of(registry))
    return writer



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
    reads.append((key, utcnow(request.registry), uid, dossier, obj, action, level, detail))


def journal_tween_factory(handler, registry):
    """Outside ``pyramid_tm``: once the request's transaction has committed,
    commit its read entries before the page is sent."""

    def journal_tween(request):
        response = handler(request)
        reads = request.__dict__.get(_READS)
        if reads and request.__dict__.get(_COMMITTED) == [True]:
            try:
                journal_writer(request.registry).write(reads)
            except JournalUnavailable:
                return unavailable_response(request)
        return response

    return journal_tween


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
    config.add_tween('portail.journal.writer.journal_tween_factory',
                     over='pyramid_tm.tm_tween_factory')
