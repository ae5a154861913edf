"""Beneficiary accounts by one-time activation code (SPEC §4; issue 5)."""

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
    # the mistakes above did not spend the code; wrong codes lock the account
    for attempt in range(3):
        activate(person, login, f'AAAA-BBBB-CCC{attempt}')
    with portal.root() as root:
        assert root.users.find_login(login).locked
    assert 'role="alert"' in activate(person, login, code).text


def test_only_the_referent_and_delegates_give_codes(portal):
    url = durand_url(portal)
    for login in ('secretary1', 'manager2', 'worker2', 'admin1', 'cli1'):
        assert logged_in(portal, login).get(url + 'account', status=403)
    assert logged_in(portal, 'worker1').get(url + 'account').status_int == 200
