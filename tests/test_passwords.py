"""Password rules and password changes (SPEC §6)."""
import pytest

from portail.auth.passwords import hash_password, is_common, password_problems, verify
from portail.demo import DEMO_PASSWORD
from tests.conftest import logged_in


@pytest.mark.parametrize('password,common', [
    ('azertyuiopqsdf', False),
    ('azertyuiop', True),
    ('Password2026!', True),
    ('qwerty123456', True),
    ('!!Motdepasse1234', True),
    (DEMO_PASSWORD, False),
    ('correct horse battery staple', False),
])
def test_common_passwords(password, common):
    assert is_common(password) is common


def test_problems_are_listed():
    assert password_problems('short', 12) and len(password_problems('short', 12)) == 1
    problems = password_problems('jdupont-is-here-2026', 12, login='jdupont')
    assert [p.default or p for p in problems] == ['The password must not contain the login.']
    current = hash_password('Un mot de passe solide', 'fast')
    assert password_problems('Un mot de passe solide', 12, current_hash=current, profile='fast')
    assert password_problems('Un autre mot de passe', 12, current_hash=current,
                             profile='fast') == []


def test_hashes_are_argon2id():
    hashed = hash_password('Un mot de passe solide', 'fast')
    assert hashed.startswith('$argon2id$')
    assert verify(hashed, 'Un mot de passe solide', 'fast')
    assert not verify(hashed, 'autre chose', 'fast')
    assert not verify('not a hash', 'autre chose', 'fast')
    assert not verify(None, 'x', 'fast')
    assert hash_password('x' * 12).startswith('$argon2id$v=19$m=65536')


def change_password(browser, current, new, confirm=None, status=None):
    page = browser.get('/password')
    form = page.forms['form']
    form['current'] = current
    form['new'] = new
    form['new-confirm'] = new if confirm is None else confirm
    return form.submit(status=status)


def test_change_password(portal):
    browser = logged_in(portal, 'worker1')
    response = change_password(browser, DEMO_PASSWORD, 'Une phrase de passe neuve')
    assert response.status_int == 303
    assert 'Votre mot de passe est modifié' in response.follow().text
    browser.post_csrf('/logout')
    assert browser.login('worker1', 'Une phrase de passe neuve').request.path == '/'


@pytest.mark.parametrize('current,new,confirm,fragment', [
    ('wrong current pw', 'Une phrase de passe neuve', None, "n'est pas votre mot de passe"),
    (DEMO_PASSWORD, 'court', None, '12 caractères'),
    (DEMO_PASSWORD, 'azertyuiop123', None, 'trop courant'),
    (DEMO_PASSWORD, 'worker1-et-la-suite', None, "identifiant"),
    (DEMO_PASSWORD, DEMO_PASSWORD, None, 'différent'),
    (DEMO_PASSWORD, 'Une phrase de passe neuve', 'Une autre phrase', 'correspond'),
])
def test_bad_new_passwords_are_refused_in_french(portal, current, new, confirm, fragment):
    browser = logged_in(portal, 'worker1')
    response = change_password(browser, current, new, confirm, status=400)
    assert fragment in response.text
    with portal.root() as root:
        assert verify(root.users.find_login('worker1').password_hash, DEMO_PASSWORD, 'fast')


def test_reset_password_forces_a_change_at_next_login(portal):
    admin = logged_in(portal, 'admin1')
    with portal.root() as root:
        uid = root.users.find_login('worker1').uid
    confirm = admin.get(f'/users/{uid}/reset-password')
    assert 'Annuler' in confirm.text
    result = confirm.forms['confirm'].submit()
    temporary = result.html.find(id='temporary-password').text
    assert len(temporary) == 19
    worker = portal.browser()
    assert worker.login('worker1').request.path == '/login'  # old password dead
    page = worker.login('worker1', temporary)
    assert page.request.path == '/password'
    # nothing else is reachable before the change
    assert worker.get('/').location.endswith('/password')
    assert worker.get('/users/').location.endswith('/password')
    response = change_password(worker, temporary, 'Ma nouvelle phrase secrète')
    assert response.follow().request.path == '/'
    assert worker.get('/').status_int == 200


def test_expired_password_must_be_changed_before_anything_else(portal):
    with portal.root() as root:
        root.users.find_login('secretary1').password_never_expires = False
    portal.clock.advance(days=100)
    browser = portal.browser()
    page = browser.login('secretary1')
    assert page.request.path == '/password'
    assert '90 jours' in page.text
    assert browser.get('/').status_int == 302
    change_password(browser, DEMO_PASSWORD, 'Ma nouvelle phrase secrète')
    assert browser.get('/').status_int == 200
