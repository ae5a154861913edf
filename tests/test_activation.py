"""Beneficiary accounts by one-time activation code (docs/domain.md, *People without internet*;
issue 5)."""

from tests.conftest import find_dossier, logged_in


def durand_url(portal):
    with portal.root() as root:
        return f'/dossiers/{find_dossier(root, "Durand").__name__}/'


def give_code(browser, url):
    page = browser.get(url + 'account')
    form = [f for f in page.forms.values() if f.action.endswith('/account')][0]
    result = form.submit()
    return result.html.find(id='login').text, result.html.find(id='code').text, result


def activate(browser, login, code, password='Ma phrase de passe à moi', confirm=None):
    page = browser.get('/activate')
    form = [f for f in page.forms.values() if f.action.endswith('/activate')][0]
    form['login'], form['code'] = login, code
    form['password'] = password
    form['confirm'] = password if confirm is None else confirm
    return form.submit()


def test_referent_creates_the_account_and_the_person_activates_it(portal):
    url = durand_url(portal)
    worker = logged_in(portal, 'worker1')
    login, code, printed = give_code(worker, url)
    assert login.startswith('b') and 'Durand' not in login and len(code) == 14
    assert '/activate' in printed.text and 'Aïcha DURAND' in printed.text
    person = portal.browser()
    response = activate(person, login, code)
    assert response.status_int == 303
    assert 'Votre compte est activé' in response.follow().text
    home = person.login(login, 'Ma phrase de passe à moi')
    assert home.request.path == '/' and 'Mes contrats' in home.text
    assert 'Atelier' in home.text or 'emploi' in home.text  # Aïcha Durand's draft
    # the code worked once
    assert 'role="alert"' in activate(portal.browser(), login, code).text
    with portal.root() as root:
        user = root.users.find_login(login)
        assert user.activation is None and find_dossier(root, 'Durand').beneficiary == user.uid


def test_a_new_code_replaces_the_old_one_and_codes_expire(portal):
    url = durand_url(portal)
    worker = logged_in(portal, 'worker1')
    login, first, _page = give_code(worker, url)
    login2, second, _page = give_code(worker, url)
    assert login2 == login and second != first
    assert 'role="alert"' in activate(portal.browser(), login, first).text
    portal.clock.advance(days=15)
    assert 'role="alert"' in activate(portal.browser(), login, second).text
    worker = logged_in(portal, 'worker1')
    _login, third, _page = give_code(worker, url)
    assert activate(portal.browser(), login, third).status_int == 303


def test_bad_passwords_and_wrong_codes(portal):
    url = durand_url(portal)
    login, code, _page = give_code(logged_in(portal, 'worker1'), url)
    person = portal.browser()
    assert 'différents' in activate(person, login, code, confirm='autre chose encore').text
    assert '12 caractères' in activate(person, login, code, password='court').text
    # the mistakes above did not spend the code; three wrong codes do: no code
    # works for this login until the référent gives a new one (the account
    # itself is not locked: the activation page locks no account)
    for attempt in range(3):
        activate(person, login, f'AAAA-BBBB-CCC{attempt}')
    assert 'role="alert"' in activate(person, login, code).text
    with portal.root() as root:
        assert not root.users.find_login(login).locked
    _login, new_code, _page = give_code(logged_in(portal, 'worker1'), url)
    assert activate(person, login, new_code).status_int == 303


def test_only_the_referent_and_delegates_give_codes(portal):
    url = durand_url(portal)
    for login in ('secretary1', 'manager2', 'worker2', 'admin1', 'cli1'):
        assert logged_in(portal, login).get(url + 'account', status=403)
    assert logged_in(portal, 'worker1').get(url + 'account').status_int == 200


def page_text(response, login):
    """What a person reads on the answer, the login they typed aside."""
    main = response.html.find('main')
    for field in main.select('input'):
        field.attrs.pop('value', None)
    return main.text.replace(login, '<login>') + str(main.select('form'))


def test_a_staff_login_on_the_activation_page(portal):
    """Issue 13: three wrong codes with a social worker's login locked the
    worker's account, and the answers then differed from an unknown login's.
    Now the worker is never locked, and a staff login and an unknown one get
    the very same answer at every attempt."""
    staff, unknown = portal.browser(), portal.browser()
    for attempt in range(5):
        code = f'AAAA-BBBB-CCC{attempt}'
        as_staff = activate(staff, 'worker1', code)
        as_unknown = activate(unknown, 'personne.inconnue', code)
        assert as_staff.status_int == as_unknown.status_int == 200
        assert page_text(as_staff, 'worker1') == page_text(as_unknown, 'personne.inconnue')
        assert 'ne correspondent pas' in as_staff.text
    with portal.root() as root:
        worker = root.users.find_login('worker1')
        assert not worker.locked and worker.failed_logins == 0
        assert worker.uid not in root.users.locked_uids
    assert portal.browser().login('worker1').request.path == '/'
    # and on the login page, nothing either
    login_page = portal.browser().login('worker1', 'pas le bon')
    assert 'verrouillé après' not in login_page.text


def test_only_a_beneficiary_with_a_pending_code_is_activated(portal):
    """An active beneficiary (no pending code) gets the same answer as an
    unknown login, and is neither locked nor changed."""
    for login in ('beneficiary1', 'admin1', 'dpo1'):
        browser = portal.browser()
        for attempt in range(4):
            response = activate(browser, login, f'AAAA-BBBB-CCC{attempt}')
            assert 'ne correspondent pas' in response.text
        with portal.root() as root:
            user = root.users.find_login(login)
            assert not user.locked and user.failed_logins == 0
        assert portal.browser().login(login).request.path in ('/', '/users/')


def test_evolve_step_0006_gives_an_existing_database_the_activation_count(portal):
    from portail import evolve as ev
    from portail.evolve import DONE_KEY

    with portal.root() as root:
        # the database as it was before step 0006
        del root.users.__dict__['activation_failures']
        root.users._p_changed = True
        del root._p_jar.root()[DONE_KEY]['0006-create-activation-failures']
    assert ev.evolve(portal.db, portal.clock.now(), log=lambda m: None) == [
        '0006-create-activation-failures']
    response = activate(portal.browser(), 'personne.inconnue', 'AAAA-BBBB-CCCC')
    assert 'ne correspondent pas' in response.text
    with portal.root() as root:
        assert len(root.users.activation_failures) == 1
