"""Command-line tools (``portail-init``, ``portail-evolve``, ``portail-create-admin``)."""
import contextlib

import transaction
from pyramid.paster import get_app, setup_logging

from portail.models.root import get_root


@contextlib.contextmanager
def application(ini_path):
    """Build the application from ``ini_path``; yield its registry; close its databases."""
    setup_logging(ini_path)
    registry = get_app(ini_path).registry
    try:
        yield registry
    finally:
        for db in registry._zodb_databases.values():
            db.close()


def primary_db(registry):
    return registry._zodb_databases['']


@contextlib.contextmanager
def portal_root(registry, note):
    """Yield the portal root in a transaction committed on success."""
    tm = transaction.TransactionManager(explicit=True)
    conn = primary_db(registry).open(transaction_manager=tm)
    try:
        tm.begin()
        yield get_root(conn.root())
        tm.get().note(note)
        tm.commit()
    except BaseException:
        tm.abort()
        raise
    finally:
        conn.close()
