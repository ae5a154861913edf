"""The portal's health, for monitoring (``GET /health``, :mod:`portail.views.health`).

:func:`report` checks, with bounded work and without writing anything:

* each of the three storages (main, sessions, journal) is reachable: a
  connection of its own is opened and the storage's root mapping read; a
  ZEO client storage must also be connected and its server must answer
  (:func:`check_storage`).  An outage surfaces as ZEO's
  ``ClientDisconnected`` (:mod:`portail.outage`), PostgreSQL's as a driver
  error: any error makes the storage ``down``;
* the schema is up to date: every evolve step has run (:mod:`portail.evolve`);
* the journal writer keeps up: the records waiting in the outbox
  (:mod:`portail.journal.outbox`, at most :data:`BACKLOG_SCAN` of them are
  looked at) and the age of the oldest, which must stay under
  ``portail.health_outbox_max_age_seconds``, and whether the writer's last
  batch failed (:class:`portail.journal.writer.JournalWriter`).

Each check is ``ok``, ``degraded`` (the portal serves, someone must look:
the journal late, an evolve step pending), ``down`` (a storage out of
reach, a database not initialised) or ``unknown`` (not checked, its storage
being down).  The overall status is the worst of them (``unknown`` counts as
``degraded``).  Nothing personal is reported, no count of dossiers, no
version of a library.

A request for the health never opens a transaction of the request
(:func:`transaction_wanted`, pyramid_tm's ``tm.activate_hook``): pyramid_tm
would ask the security policy who is asking, which loads, touches or ends
the session of a cookie and may write to the security log.
"""
import logging
import math

import transaction
from ZEO.ClientStorage import ClientStorage

from portail.auth.sessions import SESSIONS_DB
from portail.clock import utcnow
from portail.evolve import status as schema_status
from portail.journal import outbox
from portail.journal.model import JOURNAL_DB
from portail.models.root import ROOT_KEY

log = logging.getLogger(__name__)

#: the path of the health check
PATH = '/health'
OK, DEGRADED, DOWN, UNKNOWN = 'ok', 'degraded', 'down', 'unknown'
#: the storages checked: name in the report -> database name (pyramid_zodbconn)
STORAGES = {'main': '', 'sessions': SESSIONS_DB, 'journal': JOURNAL_DB}
#: the most outbox records one check looks at
BACKLOG_SCAN = 1000
_SEVERITY = {OK: 0, DEGRADED: 1, UNKNOWN: 1, DOWN: 2}


def transaction_wanted(request):
    """pyramid_tm's ``tm.activate_hook``: every request but the health check's
    runs in a transaction (see the module docstring)."""
    return request.path_info != PATH


class Health:
    """The context of ``/health`` (a route of its own: the check does not
    depend on the portal root, which a storage outage makes unreachable)."""

    __name__ = 'health'
    __parent__ = None

    def __init__(self, request=None):
        pass


def check_storage(db, read=None):
    """``{'status': 'ok'}`` if ``db``'s storage answers, else ``down`` with the
    error's class; ``read(root mapping)`` is then called in the same
    read-only transaction and its result merged in."""
    storage = db.storage
    tm = transaction.TransactionManager(explicit=True)
    conn = None
    try:
        if isinstance(storage, ClientStorage):
            if not storage.is_connected():
                return {'status': DOWN, 'error': 'disconnected'}
            storage.server_status()  # one round trip to the server
        conn = db.open(transaction_manager=tm)
        tm.begin()
        root = conn.root()
        root.get(ROOT_KEY)  # loads the root mapping
        result = {'status': OK}
        if read is not None:
            result['read'] = read(root)
        return result
    except Exception as error:  # noqa: BLE001 (any failure means "not reachable")
        log.warning('Health check: the storage of database %r is unreachable (%s)',
                    db.database_name, type(error).__name__)
        return {'status': DOWN, 'error': type(error).__name__}
    finally:
        try:
            tm.abort()
        except Exception:  # noqa: BLE001,S110 (nothing was written; the storage is gone)
            pass
        if conn is not None:
            conn.close()


def schema_check(zodb_root):
    """The evolve version of a main database's root mapping."""
    version, latest, _pending = schema_status(zodb_root)
    if ROOT_KEY not in zodb_root:
        state = DOWN  # not initialised: run portail-init
    else:
        state = OK if version == latest else DEGRADED
    return {'status': state, 'version': version, 'latest': latest}


def journal_check(zodb_root, registry, now):
    """The outbox's backlog and the writer's last batch."""
    records, oldest, complete = outbox.backlog(zodb_root, BACKLOG_SCAN)
    age = None if oldest is None else max(0, math.floor((now - oldest).total_seconds()))
    writer = getattr(registry, 'portail_journal_writer', None)
    failing = bool(writer is not None and writer.failing)
    late = age is not None and age > registry.settings['portail.health_outbox_max_age_seconds']
    state = DEGRADED if (failing or late or not complete) else OK
    return {'status': state, 'outbox_records': records if complete else f'>{records}',
            'outbox_oldest_seconds': age, 'last_batch_failed': failing}


def report(registry):
    """``(overall status, checks)`` of the portal of ``registry``."""
    databases = registry._zodb_databases
    now = utcnow(registry)
    checks = {}
    for name, db_name in STORAGES.items():
        if name == 'main':
            result = check_storage(databases[db_name], lambda root: (
                schema_check(root), journal_check(root, registry, now)))
            read = result.pop('read', None)
            checks['storage_' + name] = result
            if read is None:
                checks['schema'] = {'status': UNKNOWN}
                checks['journal_writer'] = {'status': UNKNOWN}
            else:
                checks['schema'], checks['journal_writer'] = read
        else:
            checks['storage_' + name] = check_storage(databases[db_name])
    worst = max((check['status'] for check in checks.values()), key=_SEVERITY.get)
    overall = DEGRADED if worst == UNKNOWN else worst
    return overall, checks
