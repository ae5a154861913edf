"""Password rules and password changes (docs/domain.md, *Accounts and passwords*)."""
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


# Issue 13: weak passwords that the length and common-password rules let
# through, on every form where a password is chosen; and passwords are never
# stripped, so what is set on one form is what the login form expects.

#: each is 12 characters or more; ``{first}`` is the person's own first name
WEAK_PASSWORDS = ['aaaaaaaaaaaa', '123456789012', 'azertyuiopqs', ' ' * 12, '{first}19870612']
WEAK_IDS = ['repeated', 'digits', 'azerty', 'spaces', 'first-name']
#: the French advice every refusal of a weak password ends with
ADVICE_FR = 'phrase de passe'


def error_text(page):
    """The error messages of a deform form or of the activation page."""
    errors = page.html.select('.invalid-feedback, #activate-errors')
    return ' '.join(e.get_text(' ', strip=True) for e in errors)


@pytest.mark.parametrize('weak', WEAK_PASSWORDS, ids=WEAK_IDS)
def test_weak_passwords_are_refused_with_advice(weak):
    password = weak.format(first='Wanda')
    problems = password_problems(password, 12, login='worker1', names=['Wanda Travailleuse'])
    assert problems and 'passphrase' in problems[-1]


def test_the_person_s_names_count_against_the_password():
    from portail.auth.passwords import PERSONAL

    names = ['Aïcha DURAND']
    assert PERSONAL in password_problems('Aïcha19870612', 12, login='b1234567', names=names)
    # their name with digits that are not a date is still their name
    assert PERSONAL in password_problems('Aïcha48271593', 12, names=names)
    assert PERSONAL in password_problems('durand!!2026!!', 12, names=names)
    assert PERSONAL not in password_problems('Aïcha48271593', 12, names=['Wanda Travailleuse'])


@pytest.mark.parametrize('password', [
    DEMO_PASSWORD, 'Une phrase de passe neuve', 'Ma phrase de passe à moi',
    'Une phrase de passe solide', 'Ma nouvelle phrase secrète', 'correct horse battery staple',
    '  Une phrase entourée d’espaces  ', 'x' * 40 + ' une très longue phrase de passe ' * 3,
])
def test_strong_passwords_pass(password):
    assert password_problems(password, 12, login='worker1', names=['Wanda Travailleuse']) == []


def test_temporary_passwords_pass_the_rules():
    from portail.views.admin import temporary_password

    for _attempt in range(20):
        assert password_problems(temporary_password(), 12, login='worker1',
                                 names=['Wanda Travailleuse']) == []


@pytest.mark.parametrize('weak', WEAK_PASSWORDS, ids=WEAK_IDS)
def test_change_password_refuses_weak_passwords_in_french(portal, weak):
    browser = logged_in(portal, 'worker1')
    response = change_password(browser, DEMO_PASSWORD, weak.format(first='Wanda'), status=400)
    assert ADVICE_FR in error_text(response)
    with portal.root() as root:
        assert verify(root.users.find_login('worker1').password_hash, DEMO_PASSWORD, 'fast')


def reset_by_admin(portal, login):
    """The administrator resets ``login``'s password; return the temporary one."""
    admin = logged_in(portal, 'admin1')
    with portal.root() as root:
        uid = root.users.find_login(login).uid
    result = admin.get(f'/users/{uid}/reset-password').forms['confirm'].submit()
    return result.html.find(id='temporary-password').text


@pytest.mark.parametrize('weak', WEAK_PASSWORDS, ids=WEAK_IDS)
def test_forced_change_at_first_login_refuses_weak_passwords(portal, weak):
    temporary = reset_by_admin(portal, 'worker1')
    worker = portal.browser()
    assert worker.login('worker1', temporary).request.path == '/password'
    response = change_password(worker, temporary, weak.format(first='Wanda'), status=400)
    assert ADVICE_FR in error_text(response)
    assert worker.get('/').location.endswith('/password')  # still to be changed


def _activation_code(portal):
    from tests.test_activation import durand_url, give_code

    return give_code(logged_in(portal, 'worker1'), durand_url(portal))[:2]


@pytest.mark.parametrize('weak', WEAK_PASSWORDS, ids=WEAK_IDS)
def test_activation_refuses_weak_passwords_in_french(portal, weak):
    from tests.test_activation import activate

    login, code = _activation_code(portal)
    response = activate(portal.browser(), login, code, password=weak.format(first='Aïcha'))
    assert response.status_int == 200
    assert ADVICE_FR in error_text(response)
    # the code was not spent: a good password still activates the account
    assert activate(portal.browser(), login, code).status_int == 303




def test_create_admin_refuses_weak_passwords_in_french(tmp_path, capsys, monkeypatch):
    import io

    from portail.scripts import create_admin, init
    from tests.test_scripts import INI

    ini = tmp_path / 'test.ini'
    ini.write_text(INI.format(var=tmp_path))
    assert init.main([str(ini)]) == 0
    for weak in WEAK_PASSWORDS:
        capsys.readouterr()
        monkeypatch.setattr('sys.stdin', io.StringIO(weak.format(first='Cheffe') + '\n'))
        assert create_admin.main([str(ini), 'responsable', 'Cheffe Admin', '--password-stdin']) == 1
        assert ADVICE_FR in capsys.readouterr().err, weak
    # the same password read from the terminal is refused the same way
    answers = iter(['Cheffe19870612'] * 2)
    monkeypatch.setattr('getpass.getpass', lambda prompt: next(answers))
    assert create_admin.main([str(ini), 'responsable', 'Cheffe Admin']) == 1
    assert ADVICE_FR in capsys.readouterr().err


SPACED = '  Ma phrase de passe à moi  '


def test_spaces_around_a_password_are_kept_on_every_form(portal):
    """Set with spaces on the activation form, the password works as typed on
    the login form and as the current password on the change form; a new
    password with spaces set there works as typed on the login form."""
    from tests.test_activation import activate

    login, code = _activation_code(portal)
    person = portal.browser()
    assert activate(person, login, code, password=SPACED).status_int == 303
    assert person.login(login, SPACED.strip()).request.path == '/login'
    assert person.login(login, SPACED).request.path == '/'
    response = change_password(person, SPACED, '  Une phrase de passe neuve  ')
    assert response.status_int == 303, error_text(response)
    person.post_csrf('/logout')
    assert person.login(login, 'Une phrase de passe neuve').request.path == '/login'
    assert person.login(login, '  Une phrase de passe neuve  ').request.path == '/'


def test_a_password_of_spaces_is_refused_like_any_weak_one(portal):
    """Twelve spaces are neither taken as empty nor accepted: the answer is
    the same French advice on the change form and on the activation form."""
    from tests.test_activation import activate

    browser = logged_in(portal, 'worker1')
    changed = change_password(browser, DEMO_PASSWORD, ' ' * 12, status=400)
    login, code = _activation_code(portal)
    activated = activate(portal.browser(), login, code, password=' ' * 12)
    assert ADVICE_FR in error_text(changed) and ADVICE_FR in error_text(activated)


@pytest.mark.parametrize('walk', ['qsdfghjklm12', 'mlkjhgfdsqaz', 'wxcvbn,;:!wx', '&é"\'(-è_çà)='])
def test_walks_along_a_french_keyboard_are_refused(walk):
    from portail.auth.passwords import PATTERN_REASONS

    assert PATTERN_REASONS['spatial'] in password_problems(walk, 12)


def test_the_azerty_graph_follows_zxcvbn_s_qwerty_convention():
    from zxcvbn.adjacency_graphs import ADJACENCY_GRAPHS

    from portail.auth.keyboards import azerty_graph

    graph = azerty_graph()
    # left, upper left, upper right, right, lower right, lower left
    assert graph['a'] == [None, '&1', 'é2', 'zZ', 'qQ', None]
    assert graph['W'] == ['<>', 'qQ', 'sS', 'xX', None, None]
    assert graph['a'][1:3] == ['&1', 'é2'] and ADJACENCY_GRAPHS['qwerty']['q'][1:3] == ['1!', '2@']
    assert ADJACENCY_GRAPHS['qwerty']['a'] == [None, 'qQ', 'wW', 'sS', 'zZ', None]
