"""Dossiers: the "already known?" lookup, creation, edition, reassignment,
and who may open a dossier at all."""
import re
from datetime import timedelta

from tests.conftest import find_dossier, logged_in


def lookup(browser, last, first, born, reason='Premier rendez-vous', status=None):
    form = browser.get('/dossiers/lookup').forms['form']
    form['last_name'], form['first_names'], form['birth_date'] = last, first, born
    form['reason'] = reason
    return form.submit(status=status)


def test_lookup_answers_level_one_fields_only(portal):
    worker = logged_in(portal, 'worker3')  # another district
    page = lookup(worker, 'martin', 'BERNARD', '1979-03-14')
    table = page.html.find('table')
    assert table is not None
    text = table.get_text()
    assert 'MARTIN Bernard' in text and '14/03/1979' in text
    assert 'Circonscription Nord' in text and 'Wanda Travailleuse' in text
    # nothing of level 2: no address, no contract, no link into the dossier
    assert 'rue des Lilas' not in page.text
    assert not re.search(r'href="[^"]*/dossiers/[0-9a-f]{24}', page.text)


def test_lookup_ignores_accents_and_case_but_not_the_birth_date(portal):
    worker = logged_in(portal, 'worker1')
    assert 'MARTIN Bernard' in lookup(worker, 'Martin', 'Bernard', '1979-03-14').text
    assert 'DURAND Aïcha' in lookup(worker, 'DURAND', 'aicha', '1988-07-02').text
    page = lookup(worker, 'Martin', 'Bernard', '1979-03-15')
    assert 'MARTIN Bernard' not in page.text
    assert 'Aucun dossier' in page.text


def test_lookup_requires_a_reason_and_a_valid_date(portal):
    worker = logged_in(portal, 'worker1')
    page = lookup(worker, 'Martin', 'Bernard', '3000-01-01', reason='ab', status=400)
    assert 'Indiquez le motif' in page.text and 'entre 1900' in page.text


def test_a_birth_date_is_in_the_past_of_the_portal_s_clock(portal):
    """"Today" is the portal's, not the machine's: a birth date of tomorrow
    is refused until the portal's clock reaches it."""
    worker = logged_in(portal, 'worker1')
    tomorrow = (portal.clock.now().date() + timedelta(days=1)).isoformat()
    assert 'entre 1900' in lookup(worker, 'Demain', 'Né', tomorrow, status=400).text
    portal.clock.advance(days=1)
    page = lookup(logged_in(portal, 'worker1'), 'Demain', 'Né', tomorrow)
    assert 'entre 1900' not in page.text and 'Aucun dossier' in page.text


def test_lookup_is_refused_to_roles_without_it(portal):
    for login in ('cli1', 'manager2', 'admin1', 'dpo1', 'beneficiary1'):
        browser = logged_in(portal, login)
        assert browser.get('/dossiers/lookup', status=403).status_int == 403


def test_create_a_dossier_after_the_lookup(portal):
    worker = logged_in(portal, 'worker2')
    page = lookup(worker, 'Nouvelle', 'Personne', '1990-06-15')
    create = [f for f in page.forms.values() if (f.action or '').endswith('/dossiers/add')][0]
    form = create.submit().forms['form']
    assert form['last_name'].value == 'Nouvelle'
    form['address'] = '5 rue du Port, 59000 Lille'
    form['household_size'] = '3'
    dossier = form.submit().follow()
    assert 'vous en êtes le référent' in dossier.text
    assert '5 rue du Port' in dossier.text
    assert 'NOUVELLE Personne' in worker.get('/').text  # in the caseload
    with portal.root() as root:
        created = find_dossier(root, 'Nouvelle')
        assert created.referent == root.users.find_login('worker2').uid
        assert created.district == root.users.find_login('worker2').district
    # a GET on the creation page goes back to the lookup
    assert worker.get('/dossiers/add').location.endswith('/dossiers/lookup')


def test_create_dossier_validation_is_french(portal):
    worker = logged_in(portal, 'worker1')
    page = lookup(worker, 'X', 'Y', '1990-06-15')
    create = [f for f in page.forms.values() if (f.action or '').endswith('/dossiers/add')][0]
    form = create.submit().forms['form']
    form['email'] = 'pas une adresse'
    form['household_size'] = '40'
    page = form.submit(status=400)
    assert "n'est pas valide" in page.text and 'Entre 1 et 20' in page.text


def test_who_may_open_a_dossier(portal):
    url = None
    with portal.root() as root:
        url = f'/dossiers/{find_dossier(root, "Martin").__name__}/'
    allowed = ('worker1', 'beneficiary1', 'secretary1', 'manager2')
    refused = ('worker2', 'worker3', 'secretary2', 'manager1', 'cli1', 'admin1', 'dpo1',
               'beneficiary2')
    for login in allowed:
        page = logged_in(portal, login).get(url)
        assert 'rue des Lilas' in page.text, login
    for login in refused:
        page = logged_in(portal, login).get(url, status=403)
        assert 'rue des Lilas' not in page.text, login


def test_edit_identity_reindexes_the_lookup(portal):
    worker = logged_in(portal, 'worker1')
    with portal.root() as root:
        url = f'/dossiers/{find_dossier(root, "Martin").__name__}/'
    form = worker.get(url + 'edit-identity').forms['form']
    form['first_names'] = 'Bernard Louis'
    form.submit().follow()
    assert 'MARTIN Bernard Louis' in lookup(worker, 'Martin', 'Bernard Louis', '1979-03-14').text
    assert 'Aucun dossier' in lookup(worker, 'Martin', 'Bernard', '1979-03-14').text
    # a secretary edits administrative data but not the identity
    secretary = logged_in(portal, 'secretary1')
    assert secretary.get(url + 'edit-admin').status_int == 200
    assert secretary.get(url + 'edit-identity', status=403).status_int == 403


def test_reassignment_by_a_qualified_manager(portal):
    with portal.root() as root:
        url = f'/dossiers/{find_dossier(root, "Martin").__name__}/'
        worker2 = root.users.find_login('worker2').uid
    assert logged_in(portal, 'manager1').get(url + 'reassign', status=403)
    assert logged_in(portal, 'worker1').get(url + 'reassign', status=403)
    manager = logged_in(portal, 'manager2')
    form = manager.get(url + 'reassign').forms['form']
    options = [value for value, _selected, _text in form['referent'].options]
    with portal.root() as root:
        assert root.users.find_login('worker3').uid not in options  # other district
    form['referent'] = worker2
    form.submit().follow()
    assert logged_in(portal, 'worker1').get(url, status=403)
    assert 'MARTIN' not in logged_in(portal, 'worker1').get('/').text
    assert 'rue des Lilas' in logged_in(portal, 'worker2').get(url).text


def test_caseload_and_queue_read_their_indexes(portal):
    home = logged_in(portal, 'worker1').get('/')
    for name in ('MARTIN Bernard', 'DURAND Aïcha', 'PETIT Jules', 'LEROY Nadia', 'MOREAU Kevin'):
        assert name in home.text
    assert 'FOURNIER' not in home.text and 'BONNET' not in home.text
    queue = logged_in(portal, 'secretary1').get('/')
    assert 'PETIT Jules' in queue.text and 'FOURNIER Sylvie' in queue.text
    assert 'LEROY' not in queue.text
    assert 'PETIT' not in logged_in(portal, 'secretary2').get('/').text
