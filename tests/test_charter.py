"""The confidentiality charter (issue 18): every staff account accepts the
version in force before reaching anything else; the administrator publishes
new versions; the DPO lists the acceptances."""
import codecs
import csv
import io
import re
from types import SimpleNamespace

import pytest

from portail.auth import steps
from portail.models.charter import MAX_TEXT_LENGTH
from portail.models.user import User
from tests.conftest import (
    Portal,
    RequestAs,
    accept_charter,
    enrol_second_factor,
    find_dossier,
    logged_in,
)
from tests.test_sso import provider, secret_file, sso_login, sso_portal  # noqa: F401 (fixtures)

REFUSED_MESSAGE = 'Vous devez accepter la charte pour utiliser le portail.'
STAFF = ('worker1', 'secretary1', 'manager1', 'cli1', 'admin1', 'dpo1')


@pytest.fixture
def fresh():
    """The demo département before any account accepted the charter."""
    return Portal().initialise(charter_accepted=False)


def accept(browser, page=None):
    page = page or browser.get('/charter/')
    response = page.forms['charter-answer'].submit('accept')
    assert response.status_int == 303
    return response.follow()


def publish(portal, text, admin=None):
    """The administrator publishes ``text`` through the editor; return their browser."""
    admin = admin or logged_in(portal, 'admin1')
    page = admin.get('/charter/edit')
    form = page.forms['form']
    form['text'] = text
    confirm = form.submit('submit')
    assert confirm.status_int == 200, confirm.text
    done = confirm.forms['confirm'].submit()
    assert done.status_int == 303
    return admin


def main_text(page):
    return page.html.find('main').get_text(' ', strip=True)


# -- the login step ---------------------------------------------------------------


def test_a_first_login_is_sent_to_the_charter_before_anything_else(fresh):
    with fresh.root() as root:
        dossier = find_dossier(root, 'Martin').__name__
    worker = fresh.browser()
    page = worker.login('worker1')
    assert page.request.path == '/charter'
    assert 'Charte de confidentialité' in page.text
    assert 'secret professionnel' in page.text and '226-13' in page.text
    assert "J'accepte" in page.text and 'Je refuse' in page.text
    assert page.html.find('nav', attrs={'aria-label': 'Menu principal'}) is None
    for url in ('/', f'/dossiers/{dossier}/', '/dossiers/caseload'):
        response = worker.get(url)
        assert response.status_int == 302 and response.location.endswith('/charter'), url
    dpo = fresh.browser()
    dpo.login('dpo1')
    for url in ('/journal', '/charter/acceptances', '/requests'):
        assert dpo.get(url).location.endswith('/charter'), url


def test_accepting_opens_the_portal_and_is_recorded(fresh, security):  # noqa: F811
    worker = fresh.browser()
    worker.login('worker1')
    home = accept(worker)
    assert home.request.path == '/'
    assert 'vous avez accepté la charte de confidentialité (version 1)' in home.text
    assert worker.get('/').status_int == 200
    with fresh.root() as root:
        user = root.users.find_login('worker1')
        assert user.charter_accepted == (1, fresh.clock.now())
        assert list(root.charter.acceptances) == [(1, fresh.clock.now(), user.uid)]
        assert root.charter.count(1) == 1
        uid = user.uid
    event = security.last('charter.accepted')
    assert event['user'] == uid and event['reason'] == 'v1'
    # the charter stays readable, with the version accepted and when
    page = worker.get('/charter/')
    assert 'Vous avez accepté la version 1 le' in page.text
    assert 'charter-answer' not in page.forms


def test_refusing_logs_out_with_a_clear_message(fresh, security):  # noqa: F811
    worker = fresh.browser()
    page = worker.login('worker1')
    response = page.forms['charter-answer'].submit('refuse')
    assert response.status_int == 303 and '/login?reason=charter' in response.location
    login_page = response.follow()
    assert REFUSED_MESSAGE in login_page.text
    assert worker.get('/').location.endswith('/login')
    with fresh.root() as root:
        assert root.users.find_login('worker1').charter_accepted is None
        assert len(root.charter.acceptances) == 0
    assert security.last('charter.refused')['reason'] == 'v1'
    # logging in again shows the charter again
    assert worker.login('worker1').request.path == '/charter'


def test_a_beneficiary_is_never_asked(fresh):
    person = fresh.browser()
    page = person.login('beneficiary1')
    assert page.request.path == '/'
    assert person.get('/charter/').status_int == 303
    assert 'Charte de confidentialité' not in person.get('/').text


def test_every_staff_role_is_asked(fresh):
    for login in STAFF:
        assert fresh.browser().login(login).request.path == '/charter', login


def test_a_session_of_the_identity_provider_is_asked_too(fresh):
    """The step reads no password: however the session was opened."""
    with RequestAs(fresh) as request:
        user = request.root.users.find_login('worker1')
        session = SimpleNamespace(method='identity-provider')
        assert steps.pending_step(request, user, session, fresh.clock.now()) == steps.CHARTER
        person = request.root.users.find_login('beneficiary1')
        assert steps.pending_step(request, person, session, fresh.clock.now()) is None


def test_a_new_version_is_asked_at_the_next_request_without_a_new_login(portal):
    worker = logged_in(portal, 'worker1')
    assert worker.get('/').status_int == 200
    publish(portal, 'Nouvelle charte.\n\nDeuxième paragraphe.')
    response = worker.get('/')
    assert response.status_int == 302 and response.location.endswith('/charter')
    page = worker.get('/charter/')
    assert 'Version 2' in page.text and 'Deuxième paragraphe.' in page.text
    assert accept(worker, page).request.path == '/'
    with portal.root() as root:
        assert root.users.find_login('worker1').charter_accepted[0] == 2
        # the earlier acceptance stays in the index
        assert root.charter.count(1) > 1 and root.charter.count(2) == 1


def test_a_stale_acceptance_is_refused(portal):
    """The page was read as version 1; version 2 came meanwhile."""
    with portal.root() as root:
        root.users.find_login('worker1').charter_accepted = None
    worker = portal.browser()
    page = worker.login('worker1')
    publish(portal, 'Version deux.')
    response = page.forms['charter-answer'].submit('accept', status=409)
    assert 'Une nouvelle version de la charte a été publiée pendant votre lecture' in response.text
    assert 'Version deux.' in response.text
    with portal.root() as root:
        assert root.users.find_login('worker1').charter_accepted is None
    assert accept(worker, response).request.path == '/'


def test_a_resent_acceptance_is_applied_once(fresh):
    worker = fresh.browser()
    page = worker.login('worker1')
    form = page.forms['charter-answer']
    form.submit('accept')
    again = form.submit('accept', status=409)
    assert 'Déjà fait' in again.text
    with fresh.root() as root:
        assert root.charter.count(1) == 1


def test_an_answer_without_a_choice_or_a_csrf_token_is_refused(fresh):
    worker = fresh.browser()
    worker.login('worker1')
    response = worker.post_csrf('/charter/', {'version': '1'}, status=400)
    assert 'charter-answer' in response.forms
    worker.post('/charter/', {'accept': '1', 'version': '1'}, status=400)
    with fresh.root() as root:
        assert root.users.find_login('worker1').charter_accepted is None


def test_the_text_is_shown_escaped_in_paragraphs(portal):
    publish(portal, '<script>alert(1)</script> premier\nligne deux\n\n\n<b>second</b>')
    worker = portal.browser()
    page = worker.login('worker1')
    paragraphs = page.html.find(class_='charter-text').find_all('p')
    assert [p.get_text('|') for p in paragraphs] == [
        '<script>alert(1)</script> premier|ligne deux', '<b>second</b>']
    assert '<script>alert(1)' not in page.text and '&lt;script&gt;' in page.text


# -- the administrator's editor -----------------------------------------------------


def test_the_administrator_publishes_a_new_version_after_a_confirmation(portal):
    admin = logged_in(portal, 'admin1')
    accounts = admin.get('/users/')
    assert accounts.html.find('a', href='http://localhost/charter/edit') is not None
    page = admin.get('/charter/edit')
    assert 'La version en vigueur est la version 1' in page.text
    form = page.forms['form']
    assert 'secret professionnel' in form['text'].value
    form['text'] = 'Texte révisé.\r\n\r\nRespectez le secret.'
    confirm = form.submit('submit')
    assert 'Publier une nouvelle version de la charte ?' in confirm.text
    with portal.root() as root:
        staff = sum(1 for u in root.users.values() if set(u.roles) - {'beneficiary'})
        assert len(root.charter.versions) == 1  # nothing published yet
    assert f"Chaque compte d'agent ({staff}) devra la lire et l'accepter à nouveau" in confirm.text
    assert 'Respectez le secret.' in confirm.text
    done = confirm.forms['confirm'].submit().follow()
    assert 'La version 2 de la charte est publiée' in done.text
    with portal.root() as root:
        charter = root.charter
        assert list(charter.versions) == [1, 2]
        assert 'secret professionnel' in charter.versions[1].text  # kept as it was
        assert charter.current.text == 'Texte révisé.\n\nRespectez le secret.'
        assert charter.current.author == root.users.find_login('admin1').uid
        assert charter.current.published_at == portal.clock.now()
    # the administrator, a staff account too, accepts it at their next page
    assert admin.get('/users/').location.endswith('/charter')
    # the administration journal says so, for the DPO
    dpo = logged_in(portal, 'dpo1')
    dpo.accept_charter()
    journal = dpo.get('/administration-journal')
    assert 'nouvelle version de la charte de confidentialité' in journal.text
    assert 'version 2' in journal.text


def test_a_resent_publication_is_applied_once(portal):
    admin = logged_in(portal, 'admin1')
    form = admin.get('/charter/edit').forms['form']
    form['text'] = 'Une version.'
    confirm = form.submit('submit').forms['confirm']
    confirm.submit()
    admin.accept_charter()  # version 2 is theirs to accept too
    assert 'Déjà fait' in confirm.submit(status=409).text
    with portal.root() as root:
        assert list(root.charter.versions) == [1, 2]


def test_a_stale_editor_publishes_nothing(portal):
    first = logged_in(portal, 'admin1')
    with portal.root() as root:
        admin2 = User('admin9', 'Alice Admin', ('admin',))
        admin2.password_hash = root.users.find_login('admin1').password_hash
        admin2.must_change_password, admin2.password_never_expires = False, True
        admin2.password_changed_at = portal.clock.now()
        root.users.add_user(admin2)
        accept_charter(root, admin2)
        enrol_second_factor(admin2, portal.clock.now())
    second = logged_in(portal, 'admin9')
    form = first.get('/charter/edit').forms['form']
    confirm = second.get('/charter/edit').forms['form']
    confirm['text'] = 'La version de la seconde.'
    confirm = confirm.submit('submit').forms['confirm']
    form['text'] = 'La version de la première.'
    stale_confirm = form.submit('submit').forms['confirm']
    confirm.submit()
    first.accept_charter()
    refused = stale_confirm.submit(status=409)
    assert 'Une autre version de la charte (version 2) a été publiée' in refused.text
    # the editor itself refuses a text written from an older version
    form['text'] = 'Encore autre chose.'
    refused = form.submit('submit', status=409)
    assert 'rien n\'a été publié' in refused.text
    with portal.root() as root:
        assert root.charter.current.text == 'La version de la seconde.'
        assert len(root.charter.versions) == 2


@pytest.mark.parametrize('text, message', [
    ('', 'Écrivez le texte de la charte : il ne peut pas être vide.'),
    ('  \n\n  ', 'Écrivez le texte de la charte : il ne peut pas être vide.'),
    ('x' * (MAX_TEXT_LENGTH + 1),
     f'20\u202f000 caractères au maximum (il y en a {MAX_TEXT_LENGTH + 1})'),
    ('Un texte\x07 avec une sonnerie', 'caractères de contrôle invisibles'),
])
def test_bad_texts_get_a_clear_message(portal, text, message):
    admin = logged_in(portal, 'admin1')
    form = admin.get('/charter/edit').forms['form']
    form['text'] = text
    page = form.submit('submit', status=400)
    shown = main_text(page).replace('\xa0', ' ')
    assert message.replace('\u202f', '').replace('\xa0', ' ') in shown.replace('\u202f', '') \
        or message in page.text, shown
    # the confirmation form cannot be forged around the editor either
    response = admin.post_csrf('/charter/publish', {'text': text, 'version': '1'}, status=400)
    assert 'Modifier la charte' in response.text
    with portal.root() as root:
        assert len(root.charter.versions) == 1


def test_the_same_text_is_not_a_new_version(portal):
    admin = logged_in(portal, 'admin1')
    page = admin.get('/charter/edit').forms['form'].submit('submit', status=400)
    assert 'Ce texte est identique à la version en vigueur' in page.text


# -- the DPO's list -------------------------------------------------------------------


def staff_accounts(portal, count, prefix='agent'):
    """``count`` more social workers, who accepted version 1 a minute apart."""
    with portal.root() as root:
        district = root.users.find_login('worker1').district
        for n in range(count):
            user = User(f'{prefix}{n:02d}', f'Zz {prefix.capitalize()} {n:02d}', ('worker',),
                        district)
            root.users.add_user(user)
            portal.clock.advance(minutes=1)
            accept_charter(root, user, at=portal.clock.now())


def test_the_dpo_lists_the_acceptances(fresh):
    for login in ('worker1', 'secretary1'):
        browser = fresh.browser()
        browser.login(login)
        fresh.clock.advance(minutes=5)
        accept(browser)
    dpo = fresh.browser()
    dpo.login('dpo1')
    fresh.clock.advance(minutes=5)
    home = accept(dpo)
    menu = home.html.find('nav', attrs={'aria-label': 'Menu principal'})
    assert menu.find('a', string='Acceptations de la charte') is not None
    page = dpo.get('/charter/acceptances')
    rows = [[td.get_text(strip=True) for td in tr.find_all('td')]
            for tr in page.html.find('table').find('tbody').find_all('tr')]
    with fresh.root() as root:
        worker = root.users.find_login('worker1')
        district = root.districts[worker.district].name
        names = [root.users.find_login(login).fullname
                 for login in ('worker1', 'secretary1', 'dpo1')]
    assert [row[0] for row in rows] == names  # oldest first
    assert rows[0][1] == 'travailleur social / travailleuse sociale'
    assert rows[0][2] == district and re.match(r'\d\d/\d\d/\d{4} \d\d:\d\d', rows[0][3])
    assert rows[2][2] == 'département'
    assert 'Acceptations de la version 1 : 3' in page.text
    # who has not accepted the version in force: the other staff, never a beneficiary
    missing = page.html.find(id='missing').find_next('table').get_text(' ')
    with fresh.root() as root:
        expected = sorted(u.fullname for u in root.users.values()
                          if set(u.roles) - {'beneficiary'} and u.charter_accepted is None)
        beneficiary = root.users.find_login('beneficiary1').fullname
    for name in expected:
        assert name in missing
    assert beneficiary not in missing and worker.fullname not in missing


def test_the_list_is_filtered_by_version_and_paged(portal):
    staff_accounts(portal, 60)
    publish(portal, 'Version deux.')
    dpo = logged_in(portal, 'dpo1')
    accept(dpo)
    page = dpo.get('/charter/acceptances')
    assert 'Acceptations de la version 2 : 1' in page.text  # the version in force first
    with portal.root() as root:
        version_one = root.charter.count(1)
    page = dpo.get('/charter/acceptances?version=1')
    assert f'Acceptations de la version 1 : {version_one}' in page.text
    assert len(page.html.find('table').find('tbody').find_all('tr')) == 50
    following = page.click('Page suivante', index=0)
    rows = following.html.find('table').find('tbody').find_all('tr')
    assert len(rows) == version_one - 50
    assert 'Zz Agent 59' in rows[-1].get_text()  # oldest first: the last accepted last
    # every account but the DPO has not accepted version 2: paged too
    assert 'Comptes qui n\'ont pas accepté la version en vigueur' in page.text
    missing = page.html.find(id='missing').find_next('table').find('tbody').find_all('tr')
    assert len(missing) == 50
    second = dpo.get('/charter/acceptances?version=1&missing=2')
    assert second.html.find(id='missing').find_next('table') is not None
    # a bad version number is a clear 400, never a traceback
    for bad in ('abc', '0', '3', '9' * 40):
        response = dpo.get(f'/charter/acceptances?version={bad}', status=400)
        assert 'version' in response.text


def test_the_acceptances_download_as_a_french_spreadsheet(portal, tmp_path):
    dpo = logged_in(portal, 'dpo1')
    response = dpo.get('/charter/acceptances.csv?version=1')
    assert response.content_type == 'text/csv' and response.body.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(response.body.decode('utf-8-sig')), delimiter=';'))
    assert rows[0] == ['Nom', 'Identifiant', 'Rôles', 'Circonscription', 'Version',
                       'Acceptée le']
    with portal.root() as root:
        assert len(rows) - 1 == root.charter.count(1)
        assert root.users.find_login('worker1').fullname in {r[0] for r in rows}


# -- who may do what -------------------------------------------------------------------


@pytest.mark.parametrize('login', ['worker1', 'secretary1', 'manager1', 'manager2', 'cli1',
                                   'dpo1', 'beneficiary1', 'director1'])
def test_only_the_administrator_edits(portal, login):
    browser = logged_in(portal, login)
    assert browser.get('/charter/edit', status=403).status_int == 403
    browser.post_csrf('/charter/edit', {'text': 'x', 'version': '1'}, status=403)
    browser.post_csrf('/charter/publish', {'text': 'x', 'version': '1'}, status=403)
    with portal.root() as root:
        assert len(root.charter.versions) == 1


@pytest.mark.parametrize('login', ['worker1', 'secretary1', 'manager1', 'manager2', 'cli1',
                                   'admin1', 'beneficiary1', 'director1'])
def test_only_the_dpo_lists_the_acceptances(portal, login):
    browser = logged_in(portal, login)
    for url in ('/charter/acceptances', '/charter/acceptances.csv'):
        assert browser.get(url, status=403).status_int == 403
    assert 'Acceptations de la charte' not in browser.get('/').text


def test_anonymous_visitors_are_sent_to_the_login_page(portal):
    for url in ('/charter/', '/charter/edit', '/charter/acceptances'):
        assert portal.browser().get(url).location.endswith('/login'), url


def test_the_footer_links_staff_to_the_charter(portal):
    assert 'href="http://localhost/charter/"' in logged_in(portal, 'worker1').get('/').text
    assert '/charter/' not in logged_in(portal, 'beneficiary1').get('/').text


def test_the_evolve_step_creates_the_charter_once():
    from portail.evolve.steps import create_charter

    portal = Portal().initialise(demo=False)
    conn = portal.db.open()
    zodb_root = conn.root()
    root = zodb_root['portail']
    charter = root.charter
    assert root['charter'] is charter and list(charter.versions) == [1]
    assert charter.current.author is None and charter.current.published_at is None
    create_charter(zodb_root, conn)
    assert root.charter is charter
    conn.close()


def test_a_login_through_the_identity_provider_is_asked_too(provider, secret_file):  # noqa: F811
    portal = sso_portal(provider.url, secret_file)
    with portal.root() as root:
        root.users.find_login('worker1').charter_accepted = None
    browser, home = sso_login(portal, provider, 'sub-wanda')
    assert home.status_int == 302 and home.location.endswith('/charter')
    page = browser.get('/charter/')
    assert "J'accepte" in page.text
    assert accept(browser, page).request.path == '/'


def test_refusing_in_a_session_of_the_identity_provider_offers_its_logout(
        provider, secret_file):  # noqa: F811 (fixtures)
    portal = sso_portal(provider.url, secret_file)
    with portal.root() as root:
        root.users.find_login('worker1').charter_accepted = None
    browser, _home = sso_login(portal, provider, 'sub-wanda')
    page = browser.get('/charter/')
    answer = page.forms['charter-answer'].submit('refuse', status=303)
    assert answer.location == 'http://localhost/sso-logged-out?reason=charter'
    page = answer.follow()
    assert REFUSED_MESSAGE in page.text
    assert page.html.find('a', string='Se déconnecter aussi de ProConnect')
    assert browser.get('/').status_int == 302  # the Portail session is over
