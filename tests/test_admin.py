"""Account administration pages (SPEC §1 admin, §6)."""
from tests.conftest import logged_in, tick
from tests.test_passwords import change_password


def uid_of(portal, login):
    with portal.root() as root:
        return root.users.find_login(login).uid


def add_form(admin):
    page = admin.get('/users/add')
    return page.forms['form']


def test_accounts_list(portal):
    admin = logged_in(portal, 'admin1')
    page = admin.get('/users/')
    for login in ('admin1', 'worker3', 'beneficiary2'):
        assert login in page.text
    assert 'Circonscription Nord' in page.text
    assert 'Version du schéma' in page.text and '5/5' in page.text
    # logins never appear in account URLs: the ids are opaque
    for link in page.html.select('tbody a'):
        assert link.text not in link['href']


def test_accounts_list_is_paged(portal):
    from portail.demo import ACCOUNTS
    from portail.models.user import User

    with portal.root() as root:
        for n in range(60):
            root.users.add_user(User(f'extra{n:02d}', f'Extra {n}', ('worker',), None))
    admin = logged_in(portal, 'admin1')
    first = admin.get('/users/')
    assert len(first.html.select('tbody tr')) == 50
    second = admin.get('/users/?page=1')
    assert len(second.html.select('tbody tr')) == 60 + len(ACCOUNTS) - 50
    assert admin.get('/users/?page=abc').status_int == 200


def test_create_an_account_with_a_temporary_password(portal):
    admin = logged_in(portal, 'admin1')
    form = add_form(admin)
    form['login'] = 'NouvelleTS'
    form['fullname'] = 'Nina Nouvelle'
    tick(form, ['worker'])
    with portal.root() as root:
        district = root.districts.choices()[0][0]
    form['district'] = district
    result = form.submit()
    temporary = result.html.find(id='temporary-password').text
    assert 'une seule fois' in result.text
    with portal.root() as root:
        user = root.users.find_login('nouvellets')
        assert user.roles == ('worker',) and user.district == district
        assert user.must_change_password
    browser = portal.browser()
    assert browser.login('nouvellets', temporary).request.path == '/password'


def test_create_account_validation_is_french(portal):
    admin = logged_in(portal, 'admin1')
    form = add_form(admin)
    form['login'] = 'worker1'
    form['fullname'] = 'X'
    response = form.submit(status=400)  # a form with errors is a bad input
    text = response.text
    assert 'déjà utilisé' in text
    assert 'au moins un rôle' in text
    form = response.forms['form']
    form['login'] = 'bad login!'
    form['fullname'] = 'Bob Sans District'
    tick(form, ['secretary'])
    response = form.submit(status=400)
    assert 'Lettres, chiffres' in response.text
    # once every field is valid, the checks across fields run
    form = response.forms['form']
    form['login'] = 'bob'
    assert 'choisissez-en une' in form.submit(status=400).text


def test_edit_roles_and_district(portal):
    admin = logged_in(portal, 'admin1')
    uid = uid_of(portal, 'manager1')
    page = admin.get(f'/users/{uid}/')
    form = page.forms['form']
    form['qualified'] = True
    page = form.submit().follow()
    assert 'enregistré' in page.text
    with portal.root() as root:
        user = root.users[uid]
        assert user.qualified_social_worker and user.privilege_serial == 1
    # a worker cannot be flagged as qualified manager
    uid = uid_of(portal, 'worker1')
    page = admin.get(f'/users/{uid}/')
    form = page.forms['form']
    form['qualified'] = True
    assert 'responsable de circonscription' in form.submit(status=400).text


def test_admin_cannot_remove_own_admin_role_nor_disable_self(portal):
    admin = logged_in(portal, 'admin1')
    uid = uid_of(portal, 'admin1')
    page = admin.get(f'/users/{uid}/')
    form = page.forms['form']
    tick(form, ['dpo'])
    assert 'propre rôle' in form.submit(status=400).text
    page = admin.get(f'/users/{uid}/disable').follow()
    assert 'propre compte' in page.text
    with portal.root() as root:
        assert root.users[uid].roles == ('admin',) and not root.users[uid].disabled


def test_disable_asks_for_confirmation_then_enable(portal):
    admin = logged_in(portal, 'admin1')
    uid = uid_of(portal, 'worker2')
    confirm = admin.get(f'/users/{uid}/disable')
    assert 'Désactiver ce compte' in confirm.text
    with portal.root() as root:
        assert not root.users[uid].disabled  # a GET changes nothing
    page = confirm.forms['confirm'].submit().follow()
    assert 'désactivé' in page.text
    with portal.root() as root:
        assert root.users[uid].disabled
    page.forms[_index(page, 'enable')].submit().follow()
    with portal.root() as root:
        assert not root.users[uid].disabled
    assert portal.browser().login('worker2').request.path == '/'


def test_unknown_account_is_a_french_404(portal):
    admin = logged_in(portal, 'admin1')
    page = admin.get('/users/0000/', status=404)
    assert 'Page introuvable' in page.text


def _index(page, action_end):
    for index, form in page.forms.items():
        if (form.action or '').endswith(action_end):
            return index
    raise AssertionError(action_end)


def test_a_manager_without_district_is_the_departement_manager(portal):
    """A manager may be created without district (statistics of the whole
    département); the district roles still need one."""
    admin = logged_in(portal, 'admin1')
    form = add_form(admin)
    form['login'], form['fullname'] = 'dirinsertion', 'Dominique Direction'
    tick(form, ['manager', 'worker'])
    assert 'choisissez-en une' in form.submit(status=400).text
    form = add_form(admin)
    form['login'], form['fullname'] = 'dirinsertion', 'Dominique Direction'
    tick(form, ['manager'])
    temporary = form.submit().html.find(id='temporary-password').text
    with portal.root() as root:
        assert root.users.find_login('dirinsertion').district is None
    browser = portal.browser()
    browser.login('dirinsertion', temporary)
    change_password(browser, temporary, 'Une-Phrase-Assez-Longue-42')
    assert 'Statistiques du département' in browser.get('/statistics/').text
