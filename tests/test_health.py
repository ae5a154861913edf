"""``GET /health`` (issue 19, portail/health.py): public JSON for monitoring,
200 when all is well and 503 otherwise, never cached, and nothing written:
no session created or touched, no journal entry, no security-log line.
A real ZEO server stopped under it: tests/backends/test_health_zeo.py."""
from datetime import timedelta

import pytest

from portail import health
from portail.evolve import DONE_KEY
from portail.journal import outbox
from tests.conftest import Portal, PortalTransaction, logged_in

CHECKS = {'storage_main', 'storage_sessions', 'storage_journal', 'schema', 'journal_writer'}


def sessions_of(portal):
    """``{key: last_seen}`` of the session store."""
    with PortalTransaction(portal, commit=False) as conn:
        store = conn.get_connection('sessions').root()['sessions']
        return {key: session.last_seen for key, session in store.items()}


def journal_entries(portal):
    with PortalTransaction(portal, commit=False) as conn:
        journal = conn.get_connection('journal').root()['portail_journal']
        return {key: chain.length for key, chain in journal.chains.items()}


def put_in_outbox(portal, *times):
    """Records left in the outbox (as by a killed server), dated ``times``."""
    with PortalTransaction(portal) as conn:
        box = outbox.outbox_of(conn.root())
        for at in times:
            box[outbox.new_record_id()] = (('x', at, 'system', '', 'o', 'a', 1, ''),)


def test_all_is_well(portal):
    response = portal.browser().get('/health')
    assert response.status_int == 200
    assert response.content_type == 'application/json'
    assert response.headers['Cache-Control'] == 'no-store'
    assert 'Set-Cookie' not in response.headers
    body = response.json
    assert body['status'] == 'ok'
    assert set(body['checks']) == CHECKS
    assert {check['status'] for check in body['checks'].values()} == {'ok'}
    assert body['checks']['schema']['version'] == body['checks']['schema']['latest'] > 0
    assert body['checks']['journal_writer'] == {
        'status': 'ok', 'outbox_records': 0, 'outbox_oldest_seconds': None,
        'last_batch_failed': False}


def test_head_answers_and_other_methods_do_not(portal):
    browser = portal.browser()
    assert browser.head('/health').status_int == 200
    assert browser.post('/health', status=404).status_int == 404


def test_nothing_personal_nor_versions(portal):
    text = portal.browser().get('/health').text
    with portal.root() as root:
        logins = [user.login for user in root.users.values()]
        names = [d.last_name for d in root.dossiers.values()]
    assert not [word for word in logins + names if word and word in text]
    for leak in ('dossier', 'version":"', 'pyramid', 'ZODB', 'python'):
        assert leak.lower() not in text.lower()


def test_a_session_cookie_is_neither_touched_nor_ended(portal, security):
    browser = logged_in(portal, 'worker1')
    before, entries = sessions_of(portal), journal_entries(portal)
    del security.lines[:]  # the login's
    # past the touch interval: a page would update last_seen
    portal.clock.advance(minutes=5)
    response = browser.get('/health')
    assert response.status_int == 200 and 'Set-Cookie' not in response.headers
    # past the idle timeout: a page would end the session and log session.expired
    portal.clock.advance(hours=1)
    response = browser.get('/health')
    assert response.status_int == 200 and 'Set-Cookie' not in response.headers
    assert sessions_of(portal) == before
    assert journal_entries(portal) == entries
    assert security.lines == []


def test_an_anonymous_probe_creates_no_session(portal, security):
    before = sessions_of(portal)
    for _ in range(3):
        assert 'Set-Cookie' not in portal.browser().get('/health').headers
    assert sessions_of(portal) == before
    assert security.lines == []


def test_a_late_journal_writer_is_degraded(portal):
    now = portal.clock.now()
    put_in_outbox(portal, now - timedelta(seconds=30), now - timedelta(seconds=10))
    body = portal.browser().get('/health').json
    assert body['status'] == 'ok'
    assert body['checks']['journal_writer']['outbox_records'] == 2
    assert body['checks']['journal_writer']['outbox_oldest_seconds'] == 30
    portal.clock.advance(seconds=300)
    response = portal.browser().get('/health', status=503)
    assert response.json['status'] == 'degraded'
    assert response.json['checks']['journal_writer']['status'] == 'degraded'
    assert response.json['checks']['journal_writer']['outbox_oldest_seconds'] == 330
    assert response.json['checks']['storage_main']['status'] == 'ok'


def test_the_threshold_is_a_setting():
    portal = Portal({'portail.health_outbox_max_age_seconds': '60'}).initialise(demo=False)
    put_in_outbox(portal, portal.clock.now() - timedelta(seconds=61))
    assert portal.browser().get('/health', status=503).json['status'] == 'degraded'


def test_the_outbox_is_looked_at_up_to_a_bound(portal, monkeypatch):
    monkeypatch.setattr(health, 'BACKLOG_SCAN', 3)
    put_in_outbox(portal, *[portal.clock.now()] * 5)
    body = portal.browser().get('/health', status=503).json
    assert body['checks']['journal_writer']['outbox_records'] == '>3'
    assert body['status'] == 'degraded'


def test_a_failed_batch_of_the_writer_is_degraded(portal, monkeypatch):
    from portail.journal.writer import JournalUnavailable, JournalWriter, journal_writer

    writer = journal_writer(portal.registry)

    def refuse(self, entries, records=()):
        raise OSError('the journal storage refused the batch')

    monkeypatch.setattr(JournalWriter, '_commit', refuse)
    with pytest.raises(JournalUnavailable):
        writer.write([])
    body = portal.browser().get('/health', status=503).json
    assert body['checks']['journal_writer']['last_batch_failed'] is True
    monkeypatch.undo()
    writer.write([])
    assert portal.browser().get('/health').json['checks']['journal_writer'][
        'last_batch_failed'] is False


def test_a_pending_evolve_step_is_degraded(portal):
    with PortalTransaction(portal) as conn:
        done = conn.root()[DONE_KEY]
        del done[max(done.keys())]
    body = portal.browser().get('/health', status=503).json
    assert body['status'] == 'degraded'
    schema = body['checks']['schema']
    assert schema['status'] == 'degraded' and schema['version'] == schema['latest'] - 1


def test_a_database_not_initialised_is_down():
    body = Portal().browser().get('/health', status=503).json
    assert body['status'] == 'down'
    assert body['checks']['schema'] == {'status': 'down', 'version': 0,
                                        'latest': body['checks']['schema']['latest']}
    assert body['checks']['storage_main']['status'] == 'ok'
