"""A storage outage: answer at once, never apply a change twice (docs/operations.md,
"Storage outages").

With ZEO the databases live in another process, which can stop: a crash, a
restart, a network cut.  ZEO's client then waits for its server on every call
that needs it, and raises ``ClientDisconnected`` when it gives up.  Left to
their defaults, that made every request hang until the server was back (30 s
per call), ``pyramid_retry`` ran the request again (``ClientDisconnected`` is
a ``TransientError``, which ``pyramid_tm`` marks retryable), and a request
whose commit had been cut in its second phase, so had perhaps been recorded,
was applied a second time: a note stored twice.  Here:

* a ZEO client waits at most ``portail.storage_wait_seconds`` (3 s by
  default) for its server: the ``wait_timeout`` of every ``zeo://`` URI that
  does not set its own (:func:`apply_storage_wait`);
* a request that meets ``ClientDisconnected`` is never run again
  (:func:`outage_tween_factory`): it ends with the French 503 page and a
  ``Retry-After`` header (:func:`unavailable_page`, rendered by
  :func:`portail.views.errors.storage_unavailable_view`).  For a form, the
  page says whether the action may have been recorded: yes when the commit
  had reached its second phase (:class:`CommitWitness`), where some databases
  may have recorded it and others not; otherwise nothing was recorded;
* each ZEO client storage (:func:`adapt_client_storage`) forgets the object
  ids it had reserved from its server when it connects again, and aborts a
  failed commit without waiting for its server;
* each transaction of a ZEO database starts in step with its server
  (:func:`keep_in_step`): what another process committed is seen;
* nothing else is needed to recover: ZEO reconnects in the background, and
  the first request after the server's return works as before.
"""
import contextlib
import logging

from pyramid.events import ApplicationCreated
from pyramid.tweens import INGRESS
from ZEO.ClientStorage import ClientStorage
from ZEO.Exceptions import ClientDisconnected

from portail.i18n import _

log = logging.getLogger(__name__)

#: the settings holding database URIs (pyramid_zodbconn)
URI_SETTING = 'zodbconn.uri'
#: what the 503 page asks browsers and robots to wait, in seconds
RETRY_AFTER_SECONDS = 10
#: methods that change nothing a user asked for (a page may still touch the
#: session): their page does not talk about a recorded action
SAFE_METHODS = frozenset({'GET', 'HEAD', 'OPTIONS'})


def apply_storage_wait(settings):
    """Give every ``zeo://`` URI of ``settings`` without a ``wait_timeout`` the
    one of ``portail.storage_wait_seconds`` (in place)."""
    seconds = settings['portail.storage_wait_seconds']
    if seconds < 1:
        # ZEO takes a wait_timeout of 0 for "the default", 30 s
        raise ValueError('portail.storage_wait_seconds must be at least 1 (second)')
    for key, value in settings.items():
        if key == URI_SETTING or key.startswith(URI_SETTING + '.'):
            settings[key] = with_wait_timeout(value, seconds)


def with_wait_timeout(uri, seconds):
    """``uri`` with ``wait_timeout=seconds`` if it is a ``zeo://`` URI without one."""
    uri = uri.strip()
    if not uri.startswith('zeo://'):
        return uri
    query = uri.partition('?')[2]
    if any(pair.partition('=')[0] == 'wait_timeout' for pair in query.split('&')):
        return uri
    return f'{uri}{"&" if query else "?"}wait_timeout={seconds}'


class CommitWitness:
    """A data manager of no data, joined to a request's transaction, that
    notes when its commit reaches the second phase.

    The resources of a transaction finish (``tpc_finish``) in the order of
    their ``sortKey``; this one sorts first, so :attr:`second_phase` is true
    exactly when every database has voted and some may have recorded the
    transaction.  Before that point a failed commit is aborted everywhere.
    It is also the synchronizer that joins it to each transaction of the
    request's transaction manager.
    """

    transaction_manager = None

    def __init__(self):
        self.second_phase = False

    # ISynchronizer
    def newTransaction(self, transaction):  # noqa: N802 (ZODB's interface)
        transaction.join(self)

    def beforeCompletion(self, transaction):  # noqa: N802
        pass

    def afterCompletion(self, transaction):  # noqa: N802
        pass

    # IDataManager
    def sortKey(self):  # noqa: N802
        return ''

    def abort(self, transaction):
        pass

    def tpc_begin(self, transaction):
        pass

    def commit(self, transaction):
        pass

    def tpc_vote(self, transaction):
        pass

    def tpc_finish(self, transaction):
        self.second_phase = True

    def tpc_abort(self, transaction):
        pass

    def savepoint(self):
        return _NoSavepoint()


class _NoSavepoint:
    def rollback(self):
        pass


_WITNESS = 'portail_commit_witness'


def no_more_attempts(request):
    """Make this attempt of ``request`` its last one: ``pyramid_retry`` does
    not run it again, and the outermost tween renders its error page."""
    attempt = request.environ.get('retry.attempt')
    if attempt is not None:
        request.environ['retry.attempts'] = attempt + 1


def outage_tween_factory(handler, registry):
    """Outside ``pyramid_tm``: watch each request's commit, and never let a
    ``ClientDisconnected`` be retried, whether a view or the commit raised it
    (then an exception view has already rendered it) or it escapes."""

    def outage_tween(request):
        witness = CommitWitness()
        request.__dict__[_WITNESS] = witness
        request.tm.registerSynch(witness)  # held weakly: the request keeps it
        try:
            response = handler(request)
        except ClientDisconnected:
            no_more_attempts(request)
            raise
        if isinstance(getattr(request, 'exception', None), ClientDisconnected):
            no_more_attempts(request)
        return response

    return outage_tween


def unavailable_page(request):
    """Title and message of the 503 page of a request that lost its storage;
    set its ``Retry-After`` header and log it."""
    witness = request.__dict__.get(_WITNESS)
    second_phase = witness is not None and witness.second_phase
    log.warning('Storage unavailable on %s %s%s', request.method, request.path_info,
                ' during the second phase of its commit' if second_phase else '')
    no_more_attempts(request)
    request.response.headers['Retry-After'] = str(RETRY_AFTER_SECONDS)
    title = _('Service momentarily unavailable')
    if request.method in SAFE_METHODS:
        message = _('The portal cannot reach its database right now. Please try again in '
                    'a moment: it works again by itself as soon as the database is back.')
    elif second_phase:
        message = _('The portal lost its database while recording your last action: it '
                    'may have been recorded. In a moment, check whether it was before doing '
                    'it again.')
    else:
        message = _('The portal cannot reach its database right now. Your last action was '
                    'not recorded: do it again in a moment.')
    return title, message


def adapt_client_storage(storage):
    """Two changes to one ZEO client storage (ZEO 6, see constraints.txt):

    * when it connects again, it forgets the object ids it had reserved from
      its server (ZEO fetches them a hundred at a time).  A server that
      restarts hands out again every id no commit used, so a reserved id could
      be given to a second object: the commit failed with ``ValueError: A
      different object already has the same oid`` (within one process), or
      conflicted with another process's;
    * it aborts a failed commit without waiting for the server (the server
      drops a disconnected client's transaction by itself): otherwise each
      database of the request waited ``wait_timeout`` again in turn.
    """
    connected = storage.notify_connected
    abort = storage.tpc_abort

    def notify_connected(conn, info):
        # ClientStorage.new_oid pops its reserved ids from this list
        del storage._oids[:]
        connected(conn, info)

    def tpc_abort(transaction, timeout=0):
        return abort(transaction, timeout=timeout)

    storage.notify_connected = notify_connected
    storage.tpc_abort = tpc_abort


def keep_in_step(db):
    """Start each transaction of ``db`` (a ZEO database) with a round trip to
    its server, so that it sees every commit the server finished before,
    those of the other processes included.

    ZEO sends a commit's invalidations to the other clients in the
    background, and a client reads as of the last ones it received: a login
    committed by one portal process, then the next request, sent by nginx to
    another process, could find no session there and log the person out
    (tests/backends/test_deploy.py).  The server answers the round trip after
    the invalidations it sent before it.  ZEO's own ``server_sync`` does the
    same, but zodburi cannot set it, and it waits ``wait_timeout`` at the
    start of every transaction while the server is away; here, disconnected,
    the transaction's first load meets the outage as before.
    """
    storage = db.storage

    def sync():
        if storage.is_connected():
            with contextlib.suppress(ClientDisconnected):
                storage.ping()

    # When a transaction starts, each connection calls the sync its MVCC
    # adapter took from the storage when the connection was made (ZODB 6):
    # the connections made from now on take this one, and those the database
    # already holds in its pool (the one that opened the root) are given it.
    storage.sync = sync

    def give(connection):
        connection._storage._sync = sync

    db._connectionMap(give)


def adapt_client_storages(event):
    """:func:`adapt_client_storage` and :func:`keep_in_step` for each ZEO
    database of the application."""
    for db in event.app.registry._zodb_databases.values():
        if isinstance(db.storage, ClientStorage):
            adapt_client_storage(db.storage)
            keep_in_step(db)


def includeme(config):
    # inside portail.lastresort, which renders the page of what escapes
    config.add_tween('portail.outage.outage_tween_factory',
                     under=('portail.lastresort.last_resort_tween_factory', INGRESS),
                     over='pyramid_tm.tm_tween_factory')
    config.add_subscriber(adapt_client_storages, ApplicationCreated)
