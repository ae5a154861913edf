"""Server-side sessions: timeouts, one session per user, logout, rotation
(docs/domain.md, *Sessions*)."""
import pytest

from portail.auth import sessions
from portail.views.auth import ENDED_MESSAGES
from tests.conftest import logged_in


def session_token(browser):
    return browser.cookies.get('portail_session')


def assert_sent_to_login(portal, response, reason):
    assert response.status_int == 302
    assert response.location.endswith(f'/login?reason={reason}')
    page = response.follow()
    expected = portal.fr(ENDED_MESSAGES[reason])
    expected = expected.replace('${minutes}', '15').replace('${hours}', '10')
    assert expected in page.text
    return page


def test_idle_timeout_ends_the_session(portal):
    browser = logged_in(portal, 'worker1')
    portal.clock.advance(minutes=14)
    assert browser.get('/').status_int == 200
    portal.clock.advance(minutes=14)  # 14 min since the last request: still alive
    assert browser.get('/').status_int == 200
    portal.clock.advance(minutes=15, seconds=1)
    assert_sent_to_login(portal, browser.get('/'), sessions.ENDED_IDLE)
    assert not session_token(browser)
    # the session is gone for good
    portal.clock.advance(seconds=1)
    assert browser.get('/').status_int == 302


def test_absolute_timeout_ends_an_active_session(portal):
    browser = logged_in(portal, 'worker1')
    for _ in range(59):  # active every 10 minutes for 9 h 50
        portal.clock.advance(minutes=10)
        assert browser.get('/').status_int == 200
    portal.clock.advance(minutes=11)
    assert_sent_to_login(portal, browser.get('/'), sessions.ENDED_ABSOLUTE)


def test_second_login_ends_the_first_session(portal):
    first = logged_in(portal, 'worker1')
    second = logged_in(portal, 'worker1')
    assert second.get('/').status_int == 200
    assert_sent_to_login(portal, first.get('/'), sessions.ENDED_REPLACED)
    # told once; the second session goes on
    assert second.get('/').status_int == 200


def test_logout_really_ends_the_session(portal):
    browser = logged_in(portal, 'worker1')
    token = session_token(browser)
    page = browser.post_csrf('/logout').follow()
    assert portal.fr(ENDED_MESSAGES[sessions.ENDED_LOGOUT]) in page.text
    # replaying the old cookie gives nothing
    thief = portal.browser()
    thief.set_cookie('portail_session', token)
    assert thief.get('/').status_int == 302
    with portal.root() as root:
        assert root.users.find_login('worker1').session_key is None


def test_logout_needs_post_and_csrf(portal):
    browser = logged_in(portal, 'worker1')
    assert browser.post('/logout', status=400).status_int == 400
    assert browser.get('/').status_int == 200  # still logged in


def test_session_id_changes_at_each_login(portal):
    browser = portal.browser()
    browser.get('/login')
    assert session_token(browser) is None
    browser.login('worker1')
    first = session_token(browser)
    browser.post_csrf('/logout')
    browser.login('worker1')
    assert session_token(browser) not in (None, first)


def test_privilege_change_rotates_the_session_id(portal):
    worker = logged_in(portal, 'worker1')
    before = session_token(worker)
    with portal.root() as root:
        root.users.find_login('worker1').privileges_changed()
    assert worker.get('/').status_int == 200
    after = session_token(worker)
    assert after != before
    # the old id is dead, the new one works
    thief = portal.browser()
    thief.set_cookie('portail_session', before)
    assert thief.get('/').status_int == 302
    assert worker.get('/').status_int == 200


def test_rotation_is_not_lost_when_the_request_is_refused(portal):
    """A refused request aborts its transaction: the old id must still work."""
    worker = logged_in(portal, 'worker1')
    before = session_token(worker)
    with portal.root() as root:
        root.users.find_login('worker1').privileges_changed()
    assert worker.get('/users/', status=403).status_int == 403
    assert session_token(worker) == before
    assert worker.get('/').status_int == 200
    assert session_token(worker) != before


def test_disabling_an_account_ends_its_session(portal):
    worker = logged_in(portal, 'worker2')
    admin = logged_in(portal, 'admin1')
    with portal.root() as root:
        uid = root.users.find_login('worker2').uid
    confirm = admin.get(f'/users/{uid}/disable')
    confirm.forms['confirm'].submit()
    assert_sent_to_login(portal, worker.get('/'), sessions.ENDED_DISABLED)


def test_unknown_session_cookie_is_anonymous(portal):
    browser = portal.browser()
    browser.set_cookie('portail_session', 'forged-token')
    response = browser.get('/')
    assert response.status_int == 302 and '/login' in response.location


def test_session_store_holds_no_token_and_no_login(portal):
    browser = logged_in(portal, 'worker1')
    token = session_token(browser)
    conn = portal.db.open()
    try:
        store = conn.get_connection('sessions').root()['sessions']
        assert token not in store
        (session,) = store.values()
        assert session.uid != 'worker1' and session.origin == '192.0.2.10'
    finally:
        conn.close()


def test_purge_removes_old_sessions(portal):
    from datetime import timedelta

    import transaction

    logged_in(portal, 'worker1')
    tm = transaction.TransactionManager(explicit=True)
    conn = portal.db.open(transaction_manager=tm)
    tm.begin()
    try:
        store = conn.get_connection('sessions').root()['sessions']
        assert sessions.purge_sessions(store, portal.clock.now(), timedelta(hours=10)) == 0
        later = portal.clock.now() + timedelta(hours=11)
        assert sessions.purge_sessions(store, later, timedelta(hours=10)) == 1
        assert len(store) == 0
    finally:
        tm.abort()
        conn.close()


@pytest.mark.parametrize('days,expired', [(89, False), (91, True)])
def test_password_expiry_forces_a_change(portal, days, expired):
    with portal.root() as root:
        root.users.find_login('worker1').password_never_expires = False
    portal.clock.advance(days=days)
    browser = portal.browser()
    page = browser.login('worker1')
    assert (page.request.path == '/password') is expired


def test_password_expiry_can_be_disabled():
    from tests.conftest import Portal

    portal = Portal({'portail.password_max_age_days': '0'}).initialise()
    with portal.root() as root:
        root.users.find_login('worker1').password_never_expires = False
    portal.clock.advance(days=4000)
    assert portal.browser().login('worker1').request.path == '/'
