"""The second factor of local accounts (issue 18): enrolment as a login
step, the code after the password before any session opens, lockout,
replay, clock drift, recovery codes, the administrator's reset.

Every code is a real TOTP code computed with pyotp at the portal's clock
(``portal.clock``), which the tests move.
"""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from portail.auth import second_factor, steps
from portail.demo import DEMO_PASSWORD
from portail.security_log import (
    ACCOUNT_LOCKED,
    LOGIN_SUCCESS,
    RECOVERY_CODE_USED,
    SECOND_FACTOR_ENROLLED,
    SECOND_FACTOR_FAILURE,
    SECOND_FACTOR_RESET,
)
from tests.conftest import (
    TOTP_SECRET,
    Portal,
    enrol_second_factor,
    logged_in,
    totp_code,
    uid_of,
)


def unenrol(portal, login):
    """``login`` as before any enrolment."""
    with portal.root() as root:
        user = root.users.find_login(login)
        user.totp_secret, user.recovery_hashes, user.totp_last_step = None, (), 0


def user_of(portal, login):
    with portal.root() as root:
        user = root.users.find_login(login)
        return SimpleNamespace(
            secret=user.totp_secret, recovery=len(user.recovery_hashes),
            failed=user.failed_logins, locked=user.locked, session_key=user.session_key,
            last_login=user.last_login, last_step=user.totp_last_step)


def code_page(portal, login='admin1'):
    """A browser that typed ``login``'s right password: the code's page."""
    browser = portal.browser()
    page = browser.login(login, code=False)
    assert page.request.path == '/login-code'
    return browser, page


def form_of(page, action):
    return next(f for f in page.forms.values() if f.action.endswith(action))


def logged(page):
    """Whether ``page`` is one of the portal behind the login."""
    return page.request.path not in ('/login', '/login-code')


def type_code(browser, page, code):
    form = form_of(page, '/login-code')
    form['code'] = code
    response = form.submit(status='*')
    while response.status_int in (302, 303):
        response = response.follow()
    return response


def now_code(portal, secret=TOTP_SECRET, **shift):
    return totp_code(secret, portal.clock.now() + timedelta(**shift))


# -- enrolment ------------------------------------------------------------------

def test_an_administrator_enrols_at_the_first_login(portal, security):
    unenrol(portal, 'admin1')
    browser = portal.browser()
    page = browser.login('admin1')
    assert page.request.path == '/second-factor'
    # the QR code is drawn on the server, an SVG in a data: URI; the key in groups of 4
    img = page.html.find('img', class_='qr-code')
    assert img['src'].startswith('data:image/svg+xml')
    assert img['alt'] == 'QR code à scanner avec l\'application d\'authentification'
    shown = page.html.find(id='secret').text
    assert all(len(group) == 4 for group in shown.split())
    secret = shown.replace(' ', '')
    # nothing else is open meanwhile
    assert browser.get('/users/').location.endswith('/second-factor')
    assert browser.get('/').location.endswith('/second-factor')
    # the same key while the enrolment is not confirmed
    assert browser.get('/second-factor').html.find(id='secret').text == shown
    # a wrong code: told, nothing stored, not counted as a failed login
    form = form_of(page, '/second-factor')
    form['code'] = '000000' if now_code(portal, secret) != '000000' else '111111'
    wrong = form.submit(status=400)
    assert 'Ce code ne correspond pas' in wrong.text
    assert user_of(portal, 'admin1').secret is None
    assert user_of(portal, 'admin1').failed == 0
    form = form_of(wrong, '/second-factor')
    form['code'] = now_code(portal, secret)
    done = form.submit()
    codes = [li.text for li in done.html.select('ol.recovery-codes li')]
    assert len(codes) == len(set(codes)) == 10
    assert 'Imprimez cette page' in done.text
    state = user_of(portal, 'admin1')
    assert state.secret == secret and state.recovery == 10
    assert security.last(SECOND_FACTOR_ENROLLED)['user'] == uid_of(portal, 'admin1')
    assert secret not in ' '.join(security.lines)
    # the account's pages open now; the key is never shown again
    assert browser.get('/users/').status_int == 200
    again = browser.get('/second-factor').maybe_follow()
    assert secret not in again.text and shown not in again.text
    assert "pas de second facteur à configurer" in again.text
    # the next login asks for the code
    browser.post_csrf('/logout')
    page = browser.login('admin1', code=False)
    assert page.request.path == '/login-code'
    portal.clock.advance(seconds=30)
    assert type_code(browser, page, now_code(portal, secret)).request.path == '/users/'


def test_the_dpo_enrols_a_social_worker_does_not(portal):
    unenrol(portal, 'dpo1')
    assert logged_in(portal, 'dpo1').get('/').location.endswith('/second-factor')
    worker = logged_in(portal, 'worker1')
    assert worker.get('/').status_int == 200
    assert user_of(portal, 'worker1').secret is None
    # the enrolment page sends an account that needs none home, storing nothing
    page = worker.get('/second-factor').follow()
    assert page.request.path == '/' and 'pas de second facteur à configurer' in page.text


def test_the_setting_makes_every_staff_account_enrol_but_beneficiaries():
    portal = Portal({'portail.second_factor_for_all_staff': 'true'}).initialise()
    unenrol(portal, 'worker1')
    assert logged_in(portal, 'worker1').get('/').location.endswith('/second-factor')
    # the other staff accounts of the test portal were given one: they type its code
    assert logged_in(portal, 'secretary1').get('/').status_int == 200
    assert user_of(portal, 'secretary1').secret == TOTP_SECRET
    assert user_of(portal, 'beneficiary1').secret is None
    assert logged_in(portal, 'beneficiary1').get('/').status_int == 200


def test_sessions_of_the_identity_provider_are_not_asked():
    user = SimpleNamespace(roles=('admin',), totp_secret=None)
    request = SimpleNamespace(registry=SimpleNamespace(settings={}))
    local = SimpleNamespace(method=steps.LOCAL_LOGIN)
    sso = SimpleNamespace(method='sso')
    assert steps.second_factor_needed(request, user, local, None)
    assert not steps.second_factor_needed(request, user, sso, None)


def test_the_password_step_comes_first(portal):
    unenrol(portal, 'admin1')
    with portal.root() as root:
        root.users.find_login('admin1').must_change_password = True
    browser = logged_in(portal, 'admin1')
    assert browser.get('/').location.endswith('/password')
    assert browser.get('/second-factor').location.endswith('/password')


# -- the code after the password --------------------------------------------------

def test_no_session_before_the_code_and_the_owners_session_survives(portal, security):
    owner = logged_in(portal, 'admin1')
    before = user_of(portal, 'admin1')
    thief, page = code_page(portal)
    assert 'portail_session' not in thief.cookies
    assert thief.get('/').location.endswith('/login')
    assert owner.get('/users/').status_int == 200
    page = type_code(thief, page, '123456' if now_code(portal) != '123456' else '654321')
    assert 'Code erroné' in page.text
    assert owner.get('/users/').status_int == 200
    after = user_of(portal, 'admin1')
    assert after.session_key == before.session_key and after.last_login == before.last_login
    assert security.last(SECOND_FACTOR_FAILURE)['reason'] == 'wrong-code'
    # the right code opens the session (and ends the owner's: one session per user)
    portal.clock.advance(seconds=30)
    assert logged(type_code(thief, page, now_code(portal)))
    assert user_of(portal, 'admin1').last_login[0] == portal.clock.now()
    assert security.last(LOGIN_SUCCESS)['user'] == uid_of(portal, 'admin1')
    assert owner.get('/users/').location.endswith('/login?reason=replaced')


def test_wrong_codes_lock_the_account(portal, security):
    browser, page = code_page(portal)
    wrong = '999999' if now_code(portal) != '999999' else '888888'
    page = type_code(browser, page, wrong)
    # a right password again does not reset the count
    browser, page = code_page(portal)
    page = type_code(browser, page, wrong)
    assert user_of(portal, 'admin1').failed == 2
    page = type_code(browser, page, wrong)
    assert 'verrouillé' in page.text and page.html.find(id='code') is None
    assert user_of(portal, 'admin1').locked
    assert security.last(ACCOUNT_LOCKED)['user'] == uid_of(portal, 'admin1')
    # locked: the right password and code do nothing
    page = portal.browser().login('admin1')
    assert page.request.path == '/login' and 'verrouillé' in page.text


def test_a_replayed_code_is_refused(portal, security):
    first, page = code_page(portal)
    code = now_code(portal)
    assert logged(type_code(first, page, code))
    second, page = code_page(portal)
    page = type_code(second, page, code)
    assert 'Ce code a déjà servi' in page.text
    assert security.last(SECOND_FACTOR_FAILURE)['reason'] == 'replay'
    assert user_of(portal, 'admin1').failed == 1
    # the next step's code is accepted (the phone's clock a little ahead)
    assert logged(type_code(second, page, now_code(portal, seconds=30)))


@pytest.mark.parametrize(('seconds', 'accepted'), [(-30, True), (30, True), (-90, False),
                                                     (90, False)])
def test_a_phone_clock_off_by_one_step_is_accepted(portal, seconds, accepted):
    portal.clock.advance(minutes=10)
    browser, page = code_page(portal)
    page = type_code(browser, page, now_code(portal, seconds=seconds))
    assert logged(page) is accepted


def test_a_recovery_code_works_once(portal, security):
    with portal.root() as root:
        codes = enrol_second_factor(root.users.find_login('dpo1'), portal.clock.now())
    browser, page = code_page(portal, 'dpo1')
    home = type_code(browser, page, codes[3].lower().replace('-', ' '))
    assert logged(home)
    assert 'Il vous reste 9 codes de secours' in home.text
    assert security.last(RECOVERY_CODE_USED)['user'] == uid_of(portal, 'dpo1')
    assert user_of(portal, 'dpo1').recovery == 9
    browser.post_csrf('/logout')
    browser, page = code_page(portal, 'dpo1')
    page = type_code(browser, page, codes[3])
    assert 'Code erroné' in page.text
    assert logged(type_code(browser, page, codes[4]))


def test_the_half_login_expires_and_is_spent_once(portal):
    browser, page = code_page(portal)
    portal.clock.advance(minutes=6)
    page = type_code(browser, page, now_code(portal))
    assert page.request.path == '/login'
    assert "n'a pas été saisi dans les 5 minutes" in page.text
    assert user_of(portal, 'admin1').session_key is None
    # spent once: the same cookie after the right code leads back to the login page
    browser, page = code_page(portal)
    token = browser.cookies['portail_login']
    assert logged(type_code(browser, page, now_code(portal)))
    assert 'portail_login' not in browser.cookies
    other = portal.browser()
    other.set_cookie('portail_login', token)
    assert other.get('/login-code').location.endswith('/login?reason=code-expired')
    # no cookie at all: the login page, without a message
    assert portal.browser().get('/login-code').location.endswith('/login')


def test_hostile_codes_get_a_clear_answer(portal):
    browser, page = code_page(portal)
    assert 'Saisissez le code' in type_code(browser, page, '   ').text
    form_page = browser.get('/login-code')
    response = browser.post('/login-code', {
        'csrf_token': browser.csrf(form_page), 'code': 'x' * 5000}, status='*')
    assert response.status_int == 200 and 'Saisissez le code' in response.text
    assert 'Code erroné' in type_code(browser, browser.get('/login-code'), 'é' * 10).text


# -- the administrator's reset ------------------------------------------------------

def test_an_administrator_resets_a_second_factor(portal, security):
    admin = logged_in(portal, 'admin1')
    dpo = uid_of(portal, 'dpo1')
    page = admin.get(f'/users/{dpo}/')
    assert 'configuré le' in page.text
    confirm = page.click('Réinitialiser le second facteur')
    assert 'Réinitialiser le second facteur de ce compte ?' in confirm.text
    assert user_of(portal, 'dpo1').secret == TOTP_SECRET  # nothing done by the GET
    done = confirm.forms['confirm'].submit().follow()
    assert 'Le second facteur est réinitialisé' in done.text
    assert 'Réinitialiser le second facteur' not in done.text
    assert user_of(portal, 'dpo1').secret is None
    assert security.last(SECOND_FACTOR_RESET)['target'] == dpo
    # the owner logs in with the password alone, is told, and enrols again
    owner = portal.browser()
    page = owner.login('dpo1')
    assert page.request.path == '/second-factor'
    assert 'Votre second facteur a été réinitialisé par Alice Administratrice' in page.text
    owner.enrol()
    journal = owner.get('/administration-journal')
    rows = [[td.text.strip() for td in tr.select('td')] for tr in journal.html.select('tbody tr')]
    assert rows[0][1:4] == ['Alice Administratrice', 'second facteur réinitialisé',
                            'Denis Délégué (dpo1)']
    # told once
    owner.post_csrf('/logout')
    assert 'réinitialisé par' not in owner.login('dpo1').text


def test_only_administrators_reset_and_only_a_second_factor_that_exists(portal):
    dpo = uid_of(portal, 'dpo1')
    for login in ('dpo1', 'worker1', 'manager1'):
        browser = logged_in(portal, login)
        browser.get(f'/users/{dpo}/reset-second-factor', status=403)
        browser.post_csrf(f'/users/{dpo}/reset-second-factor', status=403)
    assert user_of(portal, 'dpo1').secret == TOTP_SECRET
    anonymous = portal.browser()
    assert anonymous.get(f'/users/{dpo}/reset-second-factor').location.endswith('/login')
    admin = logged_in(portal, 'admin1')
    worker = uid_of(portal, 'worker1')
    assert 'Réinitialiser le second facteur' not in admin.get(f'/users/{worker}/').text
    page = admin.post_csrf(f'/users/{worker}/reset-second-factor').follow()
    assert "Ce compte n'a pas de second facteur" in page.text


def test_recovery_codes_are_stored_as_hashes():
    codes, hashes = second_factor.new_recovery_codes()
    assert len(codes) == 10 and all(len(c) == 19 for c in codes)
    assert not any(code in hashes for code in codes)
    assert second_factor.recovery_hash(codes[0].lower()) == hashes[0]


def test_the_demo_password_is_not_a_code(portal):
    browser, page = code_page(portal)
    assert 'Code erroné' in type_code(browser, page, DEMO_PASSWORD).text


# -- the owner's page ------------------------------------------------------------------

def my_page_post(browser, code, action='renew'):
    page = browser.get('/my-second-factor')
    form = form_of(page, '/my-second-factor')
    form['code'] = code
    return form.submit('action', value=action, status='*')


def test_the_owner_renews_the_recovery_codes(portal, security):
    with portal.root() as root:
        old = enrol_second_factor(root.users.find_login('admin1'), portal.clock.now())
    browser = logged_in(portal, 'admin1')
    page = browser.get('/users/')
    page = page.click('Mon second facteur')
    assert 'Codes de secours restants' in page.text
    assert 'Saisissez le code' in my_page_post(browser, ' ').text
    assert user_of(portal, 'admin1').failed == 0
    portal.clock.advance(seconds=30)
    done = my_page_post(browser, now_code(portal))
    codes = [li.text for li in done.html.select('ol.recovery-codes li')]
    assert len(codes) == 10 and not set(codes) & set(old)
    assert security.last('second-factor.recovery-codes-renewed')['user'] == uid_of(
        portal, 'admin1')
    browser.post_csrf('/logout')
    browser, page = code_page(portal)
    page = type_code(browser, page, old[1])
    assert 'Code erroné' in page.text
    assert logged(type_code(browser, page, codes[1]))


def test_the_owner_who_lost_the_phone_moves_to_a_new_one(portal, security):
    with portal.root() as root:
        codes = enrol_second_factor(root.users.find_login('admin1'), portal.clock.now())
    browser, page = code_page(portal)
    assert logged(type_code(browser, page, codes[0]))
    page = my_page_post(browser, codes[1], 'new-phone')
    assert security.last(RECOVERY_CODE_USED)['user'] == uid_of(portal, 'admin1')
    assert page.location.endswith('/second-factor')
    assert user_of(portal, 'admin1').secret is None
    secret, done = browser.enrol()
    assert secret != TOTP_SECRET and len(done.html.select('ol.recovery-codes li')) == 10
    assert browser.get('/users/').status_int == 200


def test_wrong_codes_on_the_owners_page_lock_and_end_the_session(portal):
    browser = logged_in(portal, 'admin1')
    wrong = '999999' if now_code(portal) != '999999' else '888888'
    for _attempt in range(2):
        assert 'Code erroné' in my_page_post(browser, wrong).text
    my_page_post(browser, wrong)
    assert user_of(portal, 'admin1').locked
    assert browser.get('/users/').location.endswith('/login?reason=disabled')
    assert user_of(portal, 'admin1').secret == TOTP_SECRET


def test_an_account_without_a_second_factor_has_no_such_page(portal):
    worker = logged_in(portal, 'worker1')
    assert 'Mon second facteur' not in worker.get('/').text
    page = worker.get('/my-second-factor').follow()
    assert "Votre compte n'a pas de second facteur" in page.text
    assert portal.browser().get('/my-second-factor').location.endswith('/login')


def test_the_maintenance_purges_the_expired_half_logins(portal):
    from portail.auth.halflogin import purge_half_logins
    from portail.auth.sessions import SESSIONS_DB

    code_page(portal)
    portal.clock.advance(minutes=3)
    code_page(portal, 'dpo1')
    portal.clock.advance(minutes=3)
    with portal.root() as root:
        sessions_root = root._p_jar.get_connection(SESSIONS_DB).root()
        assert purge_half_logins(sessions_root, portal.clock.now()) == 1
        assert purge_half_logins(sessions_root, portal.clock.now()) == 0
        assert len(sessions_root['half_logins']) == 1
