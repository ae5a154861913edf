"""Account administration pages (docs/domain.md, *Roles* and *Security rules*)."""
from zoneinfo import ZoneInfo

from portail.evolve import _steps
from tests.conftest import START, logged_in, tick
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
    steps = len(_steps())
    assert 'Version du schéma' in page.text and f'{steps}/{steps}' in page.text
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
    assert 'vos propres rôles' in form.submit(status=400).text
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
    browser.accept_charter()
    assert 'Statistiques du département' in browser.get('/statistics/').text


# -- issue 13: an administrator never reaches dossier content ---------------

def martin_url(portal):
    from tests.conftest import find_dossier

    with portal.root() as root:
        return f'/dossiers/{find_dossier(root, "Martin").__name__}/'


def district_of(portal, login):
    with portal.root() as root:
        return root.users.find_login(login).district


def test_admin_cannot_give_itself_roles_that_open_dossiers(portal):
    """The scenario of issue 13: admin1 gives itself manager + district +
    qualified, then opens a dossier.  Refused, with a French message."""
    url = martin_url(portal)
    admin = logged_in(portal, 'admin1')
    uid = uid_of(portal, 'admin1')
    form = admin.get(f'/users/{uid}/').forms['form']
    tick(form, ['admin', 'manager'])
    form['district'] = district_of(portal, 'manager2')
    form['qualified'] = True
    response = form.submit(status=400)
    assert ('Vous ne pouvez pas modifier vos propres rôles, votre circonscription ou '
            'votre qualification') in response.text
    with portal.root() as root:
        user = root.users[uid]
        assert user.roles == ('admin',) and user.district is None
        assert not user.qualified_social_worker
    admin = logged_in(portal, 'admin1')
    assert admin.get(url, status=403).status_int == 403
    # nor the district alone, nor the flag alone
    form = admin.get(f'/users/{uid}/').forms['form']
    form['district'] = district_of(portal, 'manager2')
    assert 'vos propres rôles' in form.submit(status=400).text
    # the full name is not a privilege: it may be changed
    form = admin.get(f'/users/{uid}/').forms['form']
    form['fullname'] = 'Alice Administratrice-Durand'
    assert 'enregistré' in form.submit().follow().text


def test_admin_role_never_combines_with_a_role_that_opens_dossiers(portal):
    admin = logged_in(portal, 'admin1')
    district = district_of(portal, 'worker1')
    for roles in (['admin', 'worker'], ['admin', 'manager'], ['admin', 'secretary'],
                  ['admin', 'cli'], ['admin', 'beneficiary']):
        form = add_form(admin)
        form['login'], form['fullname'] = 'double', 'Double Casquette'
        tick(form, roles)
        form['district'] = district
        response = form.submit(status=400)
        assert 'ne peut pas avoir aussi un rôle qui ouvre les dossiers' in response.text, roles
    # another administrator cannot give it either, to an existing account
    form = admin.get(f'/users/{uid_of(portal, "manager2")}/').forms['form']
    tick(form, ['manager', 'admin'])
    assert 'ne peut pas avoir aussi un rôle qui ouvre les dossiers' in form.submit(
        status=400).text
    with portal.root() as root:
        assert root.users.find_login('double') is None
        assert root.users.find_login('manager2').roles == ('manager',)
    # the DPO opens no dossier: an administrator may also be the DPO
    form = admin.get(f'/users/{uid_of(portal, "dpo1")}/').forms['form']
    tick(form, ['dpo', 'admin'])
    assert 'enregistré' in form.submit().follow().text


def test_the_account_model_refuses_admin_with_a_file_opening_role():
    """Every path that makes an account (the admin form, portail-create-admin,
    the demo) goes through the model, which refuses the combination."""
    import pytest

    from portail.models.user import User

    with pytest.raises(ValueError):
        User('double', 'Double Casquette', ('admin', 'worker'), 'd1')
    user = User('simple', 'Simple', ('admin',))
    with pytest.raises(ValueError):
        user.assign(('admin', 'manager'), 'd1', True)
    assert user.roles == ('admin',) and user.district is None


def test_an_admin_account_holding_file_roles_gets_no_dossier_access(portal):
    """Defence in depth: an account saved with admin and file-opening roles
    (before the rule existed) gets nothing from them from the security policy."""
    from portail.models.note import Note
    from tests.conftest import RequestAs, find_dossier

    url = martin_url(portal)
    with portal.root() as root:
        admin = root.users.find_login('admin1')
        dossier = find_dossier(root, 'Martin')
        # bypass the model's check, as stored data from before the rule would
        admin.roles = ('admin', 'manager', 'secretary', 'worker')
        admin.district, admin.qualified_social_worker = dossier.district, True
        root.users.reindex(admin)
        root.dossiers.set_referent(dossier, admin.uid)
        note = Note(admin.uid, 'Note au nom de l’administratrice', False, portal.clock.now())
        dossier.notes.add(note)
        note_url = f'{url}notes/{note.__name__}/'
    browser = logged_in(portal, 'admin1')
    assert browser.get(url, status=403).status_int == 403
    assert browser.get(note_url, status=403).status_int == 403
    assert browser.get('/dossiers/lookup', status=403).status_int == 403
    assert browser.get('/dossiers/add', status=403).status_int == 403
    assert browser.get('/').follow().request.path == '/users/'
    with RequestAs(portal, browser) as request:
        from portail.acl.policy import PortalSecurityPolicy

        dossier = find_dossier(request.root, 'Martin')
        principals = PortalSecurityPolicy().principals_for(request, dossier)
        assert not [p for p in principals if p.startswith('local:')]
        assert 'role:worker' not in principals and 'role:admin' in principals


def reset(admin, portal, login):
    """An administrator resets ``login``'s password; return the temporary one."""
    confirm = admin.get(f'/users/{uid_of(portal, login)}/reset-password')
    page = confirm.forms['confirm'].submit()
    return page.html.find(id='temporary-password').text


RESET_TOLD = ('Votre mot de passe a été réinitialisé par Alice Administratrice le '
              + START.astimezone(ZoneInfo('Europe/Paris')).strftime('%d/%m/%Y à %H:%M'))


def test_the_owner_is_told_once_who_reset_the_password_and_when(portal):
    admin = logged_in(portal, 'admin1')
    temporary = reset(admin, portal, 'worker2')
    portal.clock.advance(hours=2)
    owner = portal.browser()
    page = owner.login('worker2', temporary)
    assert page.request.path == '/password'
    assert RESET_TOLD in page.text  # told in Paris time
    assert 'délégué' in page.text  # whom to tell if they did not ask for it
    change_password(owner, temporary, 'Une-Phrase-Assez-Longue-42').follow()
    owner.post_csrf('/logout')
    again = owner.login('worker2', 'Une-Phrase-Assez-Longue-42')
    assert again.request.path == '/' and 'réinitialisé' not in again.text
    # the administrator's own pages never show it
    assert 'réinitialisé par' not in logged_in(portal, 'admin1').get('/users/').text


def test_the_administration_journal_for_the_dpo(portal, journal_key):
    from portail.journal.administration import CHAIN
    from portail.journal.verify import verify
    from tests.test_journal import JournalAccess

    admin = logged_in(portal, 'admin1')
    form = add_form(admin)
    form['login'], form['fullname'] = 'nouvelle', 'Nina Nouvelle'
    tick(form, ['worker'])
    district = district_of(portal, 'worker1')
    form['district'] = district
    form.submit()
    uid = uid_of(portal, 'manager1')
    form = admin.get(f'/users/{uid}/').forms['form']
    form['qualified'] = True
    form.submit()
    reset(admin, portal, 'worker2')
    for _attempt in range(3):
        portal.browser().login('worker3', 'pas le bon mot de passe')
    admin.post_csrf(f'/users/{uid_of(portal, "worker3")}/unlock')
    admin.post_csrf(f'/users/{uid_of(portal, "cli1")}/disable')
    admin.post_csrf(f'/users/{uid_of(portal, "cli1")}/enable')
    admin.post_csrf(f'/users/{uid_of(portal, "cli1")}/enable')  # already enabled: no entry

    dpo = logged_in(portal, 'dpo1')
    page = dpo.get('/')
    assert '/administration-journal' in page.text  # in the DPO's menu
    page = dpo.get('/administration-journal')
    rows = [[td.text.strip() for td in tr.select('td')] for tr in page.html.select('tbody tr')]
    assert [r[2] for r in rows] == [
        'compte réactivé', 'compte désactivé', 'compte déverrouillé',
        'mot de passe réinitialisé', 'rôles, circonscription ou qualification modifiés',
        'compte créé']
    assert all(r[1] == 'Alice Administratrice' for r in rows)
    assert rows[0][3] == 'Claire Animatrice (cli1)'
    assert rows[3][3] == 'William Travailleur (worker2)'
    assert rows[4][4] == ('responsable de circonscription — Circonscription Nord — '
                          'travailleur social qualifié')
    assert rows[5][3] == 'Nina Nouvelle (nouvelle)'
    assert rows[5][4] == 'travailleur social / travailleuse sociale — Circonscription Nord'
    assert 'Entrées d’administration (6)' in page.text or '(6)' in page.text
    # the chain holds ids and codes, never a name; it verifies like the others
    with JournalAccess(portal) as journal:
        stored = ' '.join(journal.chains[CHAIN].entries.values())
        assert 'Nina' not in stored and 'nouvelle' not in stored
        assert verify(journal, journal_key) is None
    # nobody else reads it
    for login in ('admin1', 'worker1', 'secretary1', 'manager2', 'cli1', 'beneficiary1'):
        logged_in(portal, login).get('/administration-journal', status=403)
    assert '/administration-journal' not in logged_in(portal, 'admin1').get('/users/').text


def test_the_administration_journal_is_paged(portal):
    from portail.journal.administration import UNLOCKED, record_admin_action
    from tests.conftest import RequestAs

    admin = logged_in(portal, 'admin1')
    with RequestAs(portal, admin) as request:
        account = request.root.users.find_login('worker1')
        for _n in range(130):
            record_admin_action(request, account, UNLOCKED)
        request.tm.commit()
        request.tm.begin()
    dpo = logged_in(portal, 'dpo1')
    first = dpo.get('/administration-journal')
    assert len(first.html.select('tbody tr')) == 100 and '(130)' in first.text
    second = dpo.get(first.html.find('a', rel='next')['href'])
    assert len(second.html.select('tbody tr')) == 30
    assert dpo.get('/administration-journal?page=abc').status_int == 200


def test_a_reset_by_an_administrator_whose_account_is_gone(portal):
    admin = logged_in(portal, 'admin1')
    form = add_form(admin)
    form['login'], form['fullname'] = 'admin2', 'Albert Administrateur'
    tick(form, ['admin'])
    temporary = form.submit().html.find(id='temporary-password').text
    second = portal.browser()
    second.login('admin2', temporary)
    change_password(second, temporary, 'Une-Phrase-Assez-Longue-42')
    second.enrol()
    second.accept_charter()
    temporary = reset(second, portal, 'worker2')
    with portal.root() as root:
        root.users.remove_user(root.users.find_login('admin2'))
    page = portal.browser().login('worker2', temporary)
    assert 'réinitialisé par un administrateur ou une administratrice le' in page.text
