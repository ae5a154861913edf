"""Command-line tools (``portail-init``, ``portail-evolve``, ``portail-create-admin``...).

Every command's ``main`` is wrapped by :func:`command`: a problem the user
can fix (a missing or wrong ini file, a database that does not exist, is
not initialised or is in use by the running portal, an unreachable
database server) ends the command with one line on standard error and
exit status 1, never a traceback; wrong arguments end it with argparse's
usage line and exit status 2.
"""
import contextlib
import functools
import sys

import psycopg2
import transaction
from pyramid.paster import get_app, setup_logging
from zc.lockfile import LockError
from ZEO.Exceptions import ClientDisconnected

from portail.journal.key import JournalKeyError, create_key, key_path
from portail.models.root import DatabaseNotInitialised, get_root
from portail.scripts.databases import (
    CommandError,
    check_databases,
    file_storage_paths,
    read_settings,
)

__all__ = ['CommandError', 'application', 'command', 'portal_root', 'primary_db']

#: exit status of a command stopped by a problem it reported
FAILED = 1
#: exit status of a command interrupted by Ctrl-C (128 + SIGINT)
INTERRUPTED = 130


def command(name):
    """Decorate the ``main(argv=None)`` of the command ``name``: report a
    :class:`CommandError` as ``name: error: ...`` and return :data:`FAILED`."""

    def decorate(main):
        @functools.wraps(main)
        def run(argv=None):
            try:
                return main(argv)
            except CommandError as error:
                print(f'{name}: error: {error}', file=sys.stderr)
                return FAILED
            except KeyboardInterrupt:
                print(f'\n{name}: interrupted', file=sys.stderr)
                return INTERRUPTED

        return run

    return decorate


@contextlib.contextmanager
def application(ini_path, create=False, initialised=True, create_key=False):
    """Build the application from ``ini_path``; yield its registry; close its databases.

    Only with ``create`` are missing FileStorage databases (and their
    folders) created; only with ``create_key`` is a missing journal key file
    created (:mod:`portail.journal.key`); with ``initialised`` the database
    must hold the portal root.  Raise :class:`CommandError` on what the user
    must fix.
    """
    settings = read_settings(ini_path)
    check_databases(file_storage_paths(settings), ini_path, create)
    if create_key:
        _create_journal_key(settings)
    setup_logging(ini_path)
    registry = _open(ini_path).registry
    try:
        if initialised:
            _require_portal_root(registry, ini_path)
        yield registry
    finally:
        for db in registry._zodb_databases.values():
            db.close()


def _create_journal_key(settings):
    """Create the journal key file the settings name, if it is missing (and say so)."""
    try:
        path = key_path(settings)
        if create_key(path):
            print(f'Journal key created in {path}: keep a copy off this machine, apart '
                  'from the backups.')
    except (JournalKeyError, OSError) as error:
        raise CommandError(str(error)) from None


def _open(ini_path):
    """The WSGI application of ``ini_path``, its databases opened."""
    try:
        return get_app(ini_path)
    except SystemExit as stop:  # the portal refused to start (e.g. a wrong journal key)
        raise CommandError(str(stop.code).rstrip('.')) from None
    except LockError:
        raise CommandError('the database is in use by another process (the running '
                           'portal?): stop it, or use ZEO or PostgreSQL (README, '
                           '"Storage")') from None
    except ClientDisconnected:
        raise CommandError(f'the ZEO server of {ini_path} does not answer: start it '
                           '(make zeo) or correct zodbconn.uri') from None
    except psycopg2.OperationalError as error:
        first_line = str(error).strip().splitlines()[0]
        raise CommandError(f'cannot connect to the PostgreSQL database of {ini_path}: '
                           f'{first_line}') from None


def _require_portal_root(registry, ini_path):
    conn = primary_db(registry).open()
    try:
        get_root(conn.root())
    except DatabaseNotInitialised:
        raise CommandError(f'the database is not initialised: run portail-init {ini_path}') \
            from None
    finally:
        conn.close()


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
