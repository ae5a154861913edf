"""The storages the benchmark runs on: ``file``, ``zeo`` and ``postgres``.

Each :class:`Store` gives the three zodburi URIs of the portal (main,
sessions, journal), the URI of the ACL anchor's database on the same kind
of storage, and the size of the main database.  The ZEO server is started
by the bench itself (``runzeo`` on a free port); PostgreSQL must be running,
with the DSN in ``PORTAIL_BENCH_PG_DSN`` (or ``PORTAIL_TEST_PG_DSN``, as
exported by ``.ci/setup-backends.sh``): ``postgres://user:password@host:port``;
the bench uses that role's databases ``<role>_bench_main``,
``<role>_bench_sessions``, ``<role>_bench_journal`` and ``<role>_bench_anchor``
(created if the role may, else they must exist).
"""
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

KINDS = ('file', 'zeo', 'postgres')
#: connection cache sizes (objects), as in development.ini
CACHE = {'main': 50_000, 'sessions': 2_000, 'journal': 5_000}


def make(kind, vardir):
    return {'file': FileStore, 'zeo': ZEOStore, 'postgres': PostgresStore}[kind](Path(vardir))


class Store:
    def __init__(self, vardir):
        self.vardir = vardir

    def start(self):
        pass

    def stop(self):
        pass

    def reset(self):
        """Empty the storage before a new generation."""

    def settings(self):
        uris = self.uris()
        return {'zodbconn.uri': uris['main'], 'zodbconn.uri.sessions': uris['sessions'],
                'zodbconn.uri.journal': uris['journal']}


class FileBacked(Store):
    """A store whose databases are FileStorages in ``vardir``, named by
    :meth:`path`."""

    def path(self, name):
        raise NotImplementedError

    def exists(self):
        return self.path('main').exists()

    def size_bytes(self, name='main'):
        path = self.path(name)
        return path.stat().st_size if path.exists() else None


class FileStore(FileBacked):
    def path(self, name):
        return self.vardir / f'{name.capitalize()}.fs'

    def uris(self):
        return {name: f'file://{self.path(name)}?connection_cache_size={size}'
                for name, size in CACHE.items()}

    def anchor_uri(self):
        return f'file://{self.path("anchor")}'


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


ZEO_CONF = """\
<zeo>
  address 127.0.0.1:{port}
  transaction-timeout 120
</zeo>
{storages}
<eventlog>
  level WARNING
  <logfile>
    path {vardir}/zeo.log
  </logfile>
</eventlog>
"""


class ZEOStore(FileBacked):
    """One ``runzeo`` with a FileStorage per database, on a free port."""

    NAMES = ('main', 'sessions', 'journal', 'anchor')

    def path(self, name):
        return self.vardir / f'zeo-{name}.fs'

    def start(self):
        self.vardir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        storages = ''.join(f'<filestorage {n}>\n  path {self.path(n)}\n'
                           f'</filestorage>\n' for n in self.NAMES)
        conf = self.vardir / 'zeo.conf'
        conf.write_text(ZEO_CONF.format(port=self.port, storages=storages,
                                        vardir=self.vardir))
        runzeo = Path(sys.executable).with_name('runzeo')
        self.process = subprocess.Popen([str(runzeo), '-C', str(conf)])  # noqa: S603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(('127.0.0.1', self.port), 1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError('the ZEO server did not start')

    def stop(self):
        if getattr(self, 'process', None) is not None:
            self.process.terminate()
            self.process.wait(60)
            self.process = None

    def reset(self):
        # rmtree of vardir happened while the server ran: start it again on empty files
        self.stop()
        self.start()

    def uris(self):
        return {name: f'zeo://127.0.0.1:{self.port}?storage={name}'
                      f'&connection_cache_size={size}' for name, size in CACHE.items()}

    def anchor_uri(self):
        return f'zeo://127.0.0.1:{self.port}?storage=anchor'


class PostgresStore(Store):
    """RelStorage on PostgreSQL (history-free), on an existing cluster."""

    NAMES = ('main', 'sessions', 'journal', 'anchor')

    def __init__(self, vardir):
        super().__init__(vardir)
        dsn = os.environ.get('PORTAIL_BENCH_PG_DSN') or os.environ.get('PORTAIL_TEST_PG_DSN')
        if not dsn:
            raise SystemExit('STORAGE=postgres needs PORTAIL_BENCH_PG_DSN (or '
                             'PORTAIL_TEST_PG_DSN from .ci/setup-backends.sh): '
                             'postgres://user:password@host:port')
        self.dsn = dsn.rstrip('/')
        self.role = urllib.parse.urlsplit(self.dsn).username

    def database(self, name):
        return f'{self.role}_bench_{name}'

    def start(self):
        import psycopg2

        with psycopg2.connect(f'{self.dsn}/postgres') as conn:
            conn.autocommit = True
            with conn.cursor() as cursor:
                for name in self.NAMES:
                    cursor.execute('SELECT 1 FROM pg_database WHERE datname = %s',
                                   (self.database(name),))
                    if cursor.fetchone() is None:
                        try:
                            cursor.execute(f'CREATE DATABASE "{self.database(name)}"')
                        except psycopg2.errors.InsufficientPrivilege:
                            raise SystemExit(
                                f'the role {self.role} may not create databases: as the '
                                f'postgres user, run: createdb -O {self.role} '
                                f'{self.database(name)}') from None

    def _uri(self, name, size=None):
        uri = f'{self.dsn}/{self.database(name)}?keep_history=false&driver=psycopg2'
        return uri + (f'&connection_cache_size={size}' if size else '')

    def uris(self):
        return {name: self._uri(name, size) for name, size in CACHE.items()}

    def anchor_uri(self):
        return self._uri('anchor')

    def reset(self):
        from zodburi import resolve_uri

        for name in self.NAMES:
            factory, _dbkw = resolve_uri(self._uri(name))
            storage = factory()
            storage.zap_all()
            storage.close()

    def exists(self):
        return True  # the stamp file says whether the tier is there

    def size_bytes(self, name='main'):
        import psycopg2

        with psycopg2.connect(f'{self.dsn}/{self.database(name)}') as conn:
            with conn.cursor() as cursor:
                cursor.execute('SELECT pg_database_size(current_database())')
                return cursor.fetchone()[0]
