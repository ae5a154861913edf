"""Login, lockout, last-login display and landing pages
(docs/domain.md, *Security rules* and *Interface*)."""
import re
from zoneinfo import ZoneInfo

import pytest

from portail.demo import ACCOUNTS, DEMO_PASSWORD
from portail.views.auth import INVALID_MESSAGE, LOCKED_MESSAGE
from tests.conftest import START, Portal

PARIS = ZoneInfo('Europe/Paris')


def message_of(page):
    return re.search(r'<p class="error" role="alert"[^>]*>(.*?)</p>', page.text, re.S).group(1)


def test_login_page_is_french(browser):
    page = browser.get('/login')
    assert '<html lang="fr">' in page.text
    assert 'Mot de passe' in page.text
    assert 'Identifiant' in page.text


def test_wrong_password_says_so_without_detail(portal, browser):
    page = browser.login('worker1', 'not the password!!')
    assert page.status_int == 200
    assert message_of(page) == portal.fr(INVALID_MESSAGE)
    assert 'worker1' in page.text  # the login is kept in the field
    assert 'portail_session' not in browser.cookies


def test_empty_form_is_answered(portal, browser):
    page = browser.get('/login')
    form = page.forms[0] if page.forms[0].action.endswith('/login') else page.forms[1]
    page = form.submit()
    assert 'role="alert"' in page.text
    with portal.root() as root:
        assert len(root.users.unknown_failures) == 0


@pytest.mark.parametrize('login,landing,marker', [
    ('admin1', '/users/', 'admin1'),
    ('worker1', '/', 'Mes dossiers'),
    ('secretary1', '/', 'Contrats à saisir'),
    ('beneficiary1', '/', 'Mes contrats'),
    ('cli1', '/', 'cli'),
    ('manager1', '/', 'manager'),
    ('dpo1', '/', 'dpo'),
])
def test_demo_accounts_land_on_their_home(portal, login, landing, marker):
    from portail.views.home import ROLE_SECTIONS

    browser = portal.browser()
    page = browser.login(login)
    assert page.request.path == landing
    if marker in ROLE_SECTIONS:
        title, text = ROLE_SECTIONS[marker]
        assert portal.fr(title) in page.text
        # a placeholder says plainly that the module comes later
        assert portal.fr(text) in page.text
    else:
        assert marker in page.text


def test_every_demo_account_logs_in(portal):
    for login, *_rest in ACCOUNTS:
        page = portal.browser().login(login)
        assert page.status_int == 200
        assert page.request.path in ('/', '/users/')


def test_lockout_on_third_failure_and_unlock_by_admin(portal):
    browser = portal.browser()
    locked = portal.fr(LOCKED_MESSAGE).replace('${n}', '3')
    assert message_of(browser.login('worker2', 'wrong password 1')) == portal.fr(INVALID_MESSAGE)
    assert message_of(browser.login('worker2', 'wrong password 2')) == portal.fr(INVALID_MESSAGE)
    assert message_of(browser.login('worker2', 'wrong password 3')) == locked
    # the counter was committed although each answer was an error
    with portal.root() as root:
        user = root.users.find_login('worker2')
        assert user.locked and user.failed_logins == 3
        uid = user.uid
    # even the right password is refused now
    assert message_of(browser.login('worker2', DEMO_PASSWORD)) == locked
    # the administrator sees it in the locked list and unlocks it
    admin = portal.browser()
    admin.login('admin1')
    listing = admin.get('/users/?filter=locked')
    assert 'worker2' in listing.text and 'worker1' not in listing.text
    account = admin.get(f'/users/{uid}/')
    account.forms[_form_with(account, 'unlock')].submit().follow()
    assert 'worker2' not in admin.get('/users/?filter=locked').text
    page = browser.login('worker2', DEMO_PASSWORD)
    assert page.request.path == '/'


def test_success_resets_the_failure_counter(portal, browser):
    browser.login('worker1', 'wrong password 1')
    browser.login('worker1', 'wrong password 2')
    assert browser.login('worker1').request.path == '/'
    with portal.root() as root:
        assert root.users.find_login('worker1').failed_logins == 0


def test_unknown_login_is_answered_like_a_real_one(portal):
    """Nothing tells an unknown login from a known one, lockout included."""
    real, ghost = portal.browser(), portal.browser()
    for attempt in range(4):
        a = message_of(real.login('worker3', f'wrong password {attempt}'))
        b = message_of(ghost.login('nobody-here', f'wrong password {attempt}'))
        assert a == b
    assert 'verrouillé' in a


def test_disabled_account_cannot_log_in(portal):
    with portal.root() as root:
        root.users.find_login('worker2').disabled = True
    page = portal.browser().login('worker2')
    assert message_of(page) == portal.fr(INVALID_MESSAGE)


def test_previous_login_is_shown_after_login(portal):
    first = portal.browser().login('worker1')
    assert 'première connexion' in first.text.lower()
    portal.clock.advance(hours=3)
    browser = portal.browser()
    second = browser.login('worker1')
    # when the first login happened, on the clock of Paris (09:00 UTC is 10:00 in winter)
    assert START.astimezone(PARIS).strftime('%d/%m/%Y %H:%M') in second.text
    assert '192.0.2.10' in second.text
    # the message is shown once, not on the next page
    assert '192.0.2.10' not in browser.get('/').text


def test_login_page_redirects_a_logged_in_user_home(portal):
    browser = portal.browser()
    browser.login('worker1')
    assert browser.get('/login').status_int == 302


def test_rehash_when_parameters_change(portal):
    from portail.auth.passwords import hash_password

    with portal.root() as root:
        root.users.find_login('worker1').password_hash = hash_password(DEMO_PASSWORD, 'default')
    portal.browser().login('worker1')
    with portal.root() as root:
        assert '$m=8,' in root.users.find_login('worker1').password_hash


def _form_with(page, action_end):
    for index, form in page.forms.items():
        if (form.action or '').endswith(action_end):
            return index
    raise AssertionError(f'no form posting to {action_end}')


def test_secure_cookies_in_production():
    from webtest import TestApp

    portal = Portal({'portail.secure_cookies': 'true'}).initialise()
    browser = TestApp(portal.wsgi, extra_environ={'wsgi.url_scheme': 'https'})
    page = browser.get('/login')
    form = page.forms[_form_with(page, '/login')]
    form['login'] = 'worker1'
    form['password'] = DEMO_PASSWORD
    response = form.submit()
    cookie = [v for k, v in response.headerlist if k == 'Set-Cookie' and 'portail_session' in v][0]
    assert '; secure' in cookie.lower() and 'httponly' in cookie.lower()
    assert 'samesite=strict' in cookie.lower()
