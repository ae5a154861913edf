"""Command-line tools (``portail-init``, ``portail-evolve``, ``portail-create-admin``)."""
import contextlib

import transaction
from pyramid.paster import get_app, setup_logging

from portail.models.root import get_root


def load_registry(ini_path):
    """Build the application from ``ini_path`` and return its registry."""
    setup_logging(ini_path)
    return get_app(ini_path).registry


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
