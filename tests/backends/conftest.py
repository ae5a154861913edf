"""Fixtures of the backend suite: the ``portal`` of tests/conftest.py, with the
demo département, on an empty database of each backend (see :mod:`.servers`)."""
import pytest

from tests.backends.servers import ZEOServer, close_databases, file_settings, postgres_settings
from tests.conftest import Portal

#: every storage the portal runs on
BACKENDS = ('file', 'zeo', 'postgres')
#: the storages behind a server (the main suite runs in process already)
SERVER_BACKENDS = ('zeo', 'postgres')


@pytest.fixture
def zeo_server(tmp_path):
    server = ZEOServer(tmp_path).start()
    yield server
    server.stop()


def storage_settings(request, name, tmp_path):
    if name == 'file':
        return file_settings(tmp_path)
    if name == 'zeo':
        return request.getfixturevalue('zeo_server').settings()
    return postgres_settings()


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    """``(name, settings)`` of an empty database on each backend."""
    return request.param, storage_settings(request, request.param, tmp_path)


@pytest.fixture
def make_portal():
    """Build portals on given storage settings; close their databases at the end."""
    portals = []

    def make(settings, demo=True):
        portal = Portal(settings).initialise(demo=demo)
        portals.append(portal)
        return portal

    yield make
    for portal in portals:
        close_databases(portal.registry)


@pytest.fixture
def portal(backend, make_portal):
    return make_portal(backend[1])
