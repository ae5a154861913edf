"""``GET /health`` with a real ZEO server killed under it (portail/health.py):
``503 down`` with every storage out of reach, each answer within the storage
wait (a probe that finds a storage already known disconnected does not wait
at all; one that comes before the client has noticed waits at most
``portail.storage_wait_seconds``), and ``200 ok`` again by itself once the
server is back."""
import time

from tests.backends.servers import close_databases
from tests.conftest import Portal

#: the longest one check may take with the server down, in seconds: the
#: storage wait (3 s by default), with room for a loaded machine
LIMIT = 7.5
#: how long the client may take to notice the stop, and to reconnect
SETTLE = 60


def health(browser):
    started = time.monotonic()
    response = browser.get('/health', status='*')
    assert time.monotonic() - started < LIMIT
    return response.status_int, response.json


STORAGES = ('storage_main', 'storage_sessions', 'storage_journal')


def noticed(browser):
    """The body of a 503 whose every storage is known disconnected, else ``None``."""
    status, body = health(browser)
    assert (status, body['status']) == (503, 'down')
    return body if all(body['checks'][name].get('error') == 'disconnected'
                       for name in STORAGES) else None


def until(condition, seconds=SETTLE):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError('not reached in time')


def test_health_follows_a_stopped_zeo_server(zeo_server):
    portal = Portal(zeo_server.settings()).initialise(demo=False)
    try:
        browser = portal.browser()
        status, body = health(browser)
        assert (status, body['status']) == (200, 'ok')

        zeo_server.kill()
        status, body = health(browser)  # the client may not have noticed yet: it waits
        assert (status, body['status']) == (503, 'down')
        # once the client knows, no check waits for the server any more
        body = until(lambda: noticed(browser))
        for name in STORAGES:
            assert body['checks'][name] == {'status': 'down', 'error': 'disconnected'}
        assert body['checks']['schema'] == {'status': 'unknown'}
        assert body['checks']['journal_writer'] == {'status': 'unknown'}

        zeo_server.start()
        body = until(lambda: (lambda status, body: body if status == 200 else None)(
            *health(browser)))
        assert body['status'] == 'ok'
    finally:
        close_databases(portal.registry)
