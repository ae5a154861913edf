"""The storage backends of the integration suite, each giving the
``zodbconn.uri*`` settings of an empty database.

* ``file``: FileStorage files in a temporary directory (one process only);
* ``zeo``: a real ZEO server, ``runzeo`` with the project's ``zeo.conf`` in a
  temporary directory on a free port, and the URIs of ``zeo.ini``;
* ``postgres``: RelStorage on the PostgreSQL databases of the role named by
  ``PORTAIL_TEST_PG_DSN`` (``postgres://user:password@host:port``, set by
  ``.ci/setup-backends.sh``), with the URIs of ``postgres.ini``; every table
  is emptied (``zap_all``) before each test.

Without ``PORTAIL_TEST_PG_DSN`` the PostgreSQL tests are skipped with a
message; with ``PORTAIL_REQUIRE_BACKENDS=1`` (CI) a missing or unreachable
server fails them instead.
"""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import zodburi
from pyramid.paster import get_appsettings

from tests import processes

PROJECT = Path(__file__).resolve().parents[2]
URI_KEYS = ('zodbconn.uri', 'zodbconn.uri.sessions', 'zodbconn.uri.journal')
#: test database of each ZODB database: <role>_<name> (see .ci/setup-backends.sh)
PG_DATABASES = {'zodbconn.uri': 'main', 'zodbconn.uri.sessions': 'sessions',
                'zodbconn.uri.journal': 'journal'}


def backends_required():
    return os.environ.get('PORTAIL_REQUIRE_BACKENDS') == '1'


def unavailable(message):
    """Skip with ``message``, or fail when the backends are required (CI)."""
    if backends_required():
        pytest.fail(f'{message} (PORTAIL_REQUIRE_BACKENDS=1: the backend tests may not skip)',
                    pytrace=False)
    pytest.skip(message)


def ini_uris(ini):
    """The three ``zodbconn.uri*`` settings of one of the project's ini files."""
    settings = get_appsettings(str(PROJECT / ini), 'main')
    return {key: settings[key] for key in URI_KEYS}


def with_netloc(uri, netloc, path=None):
    """``uri`` pointing at another server (and database)."""
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, netloc, parts.path if path is None else path,
                       parts.query, parts.fragment))


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def file_settings(directory):
    return {key: f'file://{directory}/{name}.fs'
            for key, name in zip(URI_KEYS, ('Data', 'Sessions', 'Journal'), strict=True)}


class ZEOServer:
    """``runzeo -C zeo.conf`` in ``directory`` (its ``var/zeo`` holds the files)."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.port = None
        self.process = None
        self.log = self.directory / 'zeo.log'

    def start(self, timeout=30):
        """Start the server on a free port, or, once it has run, on its port
        again (a restart after :meth:`kill`: same address, same files)."""
        (self.directory / 'var' / 'zeo').mkdir(parents=True, exist_ok=True)
        if self.port is None:
            self.port = free_port()
        with open(self.log, 'ab') as log:
            self.process = subprocess.Popen(  # noqa: S603 (fixed argv)
                [sys.executable, '-m', 'ZEO.runzeo', '-C', str(PROJECT / 'zeo.conf'),
                 '-a', f'127.0.0.1:{self.port}'],
                cwd=self.directory, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f'the ZEO server did not start:\n{self.log.read_text()}', pytrace=False)

    def stop(self):
        processes.stop(self.process)

    def kill(self):
        """Stop the server at once (SIGKILL): no goodbye to its clients, no
        clean close of its files, as when its machine or process dies."""
        self.process.kill()
        self.process.wait()

    def settings(self):
        """The URIs of ``zeo.ini``, on this server's port."""
        return {key: with_netloc(uri, f'127.0.0.1:{self.port}')
                for key, uri in ini_uris('zeo.ini').items()}


def postgres_settings():
    """The URIs of ``postgres.ini`` on the test role's databases, emptied;
    skip (or fail, in CI) without a reachable server."""
    dsn = os.environ.get('PORTAIL_TEST_PG_DSN')
    if not dsn:
        unavailable('PostgreSQL backend tests skipped: PORTAIL_TEST_PG_DSN is not set '
                    '(source .ci/setup-backends.sh to start PostgreSQL and set it)')
    server = urlsplit(dsn)
    settings = {key: with_netloc(uri, server.netloc, f'/{server.username}_{PG_DATABASES[key]}')
                for key, uri in ini_uris('postgres.ini').items()}
    for uri in settings.values():
        factory, _dbkw = zodburi.resolve_uri(uri)
        try:
            storage = factory()
        except Exception as error:  # noqa: BLE001 (any driver error means "unreachable")
            unavailable(f'PostgreSQL at {server.hostname}:{server.port} is unreachable: {error}')
        try:
            storage.zap_all()
        finally:
            storage.close()
    return settings


def close_databases(registry):
    """Close every database the application opened (their storage connections)."""
    for db in registry._zodb_databases.values():
        db.close()
