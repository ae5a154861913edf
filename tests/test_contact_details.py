"""The person keeps their contact details up to date (issue 17): phone,
e-mail and postal address are applied at once, journaled, and reach the
référent's "À traiter" until the référent opens the dossier; identity fields
still go through a rectification request."""
from tests.conftest import find_dossier, logged_in
from tests.test_journal import entries
from tests.test_pending_work import pending, rows_about


def martin_url(portal):
    with portal.root() as root:
        return f'/dossiers/{find_dossier(root, "Martin").__name__}/'


def contact_form(browser, url):
    return browser.get(url + 'contact-details').forms['form']


def test_the_person_updates_their_phone_and_the_referent_is_told(portal):
    url = martin_url(portal)
    person = logged_in(portal, 'beneficiary1')
    page = person.get(url)
    assert page.html.find('a', string='Mettre à jour mes coordonnées')
    form = contact_form(person, url)
    assert set(form.fields) >= {'address', 'phone', 'email'}
    for identity_field in ('last_name', 'first_names', 'birth_date', 'household_size'):
        assert identity_field not in form.fields
    assert 'demande de rectification' in form.response.text
    form['phone'] = '06 12 34 56 78'
    page = form.submit().follow()
    assert 'Vos coordonnées sont enregistrées' in page.text
    assert '06 12 34 56 78' in page.text
    with portal.root() as root:
        assert find_dossier(root, 'Martin').phone == '06 12 34 56 78'
    dossier_id = url.strip('/').split('/')[1]
    last = [e for e in entries(portal, dossier_id) if e.action.startswith('change')][-1]
    assert (last.action, last.object) == ('change:contact', 'dossier')

    worker = logged_in(portal, 'worker1')
    rows = rows_about(pending(worker)[0], 'MARTIN Bernard',
                      'Coordonnées mises à jour par la personne')
    assert len(rows) == 1 and rows[0][3].endswith(url)
    # a colleague of another district and the secretary are not told
    assert not rows_about(pending(logged_in(portal, 'worker3'))[0], 'MARTIN Bernard', '')
    # the secretary opening the dossier does not make it seen
    logged_in(portal, 'secretary1').get(url)
    assert rows_about(pending(worker)[0], 'MARTIN Bernard', 'Coordonnées') == rows
    # the référent opens the dossier: told what changed, once; the row leaves the list
    page = worker.get(url)
    assert 'La personne a mis à jour ses coordonnées : Téléphone.' in page.text
    assert not rows_about(pending(worker)[0], 'MARTIN Bernard', 'Coordonnées')
    assert 'La personne a mis à jour' not in worker.get(url).text


def test_bad_contact_details_are_refused_in_french_and_nothing_changes(portal):
    url = martin_url(portal)
    person = logged_in(portal, 'beneficiary1')
    form = contact_form(person, url)
    form['phone'] = 'appelez-moi'
    form['email'] = 'pas une adresse'
    page = form.submit(status=400)
    assert 'Chiffres, espaces et + uniquement.' in page.text
    assert "Cette adresse de courriel n'est pas valide." in page.text
    with portal.root() as root:
        assert find_dossier(root, 'Martin').phone != 'appelez-moi'
    # nothing changed: nothing to tell
    form = contact_form(person, url)
    page = form.submit().follow()
    assert "Rien n'a changé." in page.text
    assert not rows_about(pending(logged_in(portal, 'worker1'))[0], 'MARTIN Bernard',
                          'Coordonnées')


def test_only_the_person_updates_their_own_contact_details(portal):
    url = martin_url(portal)
    for login in ('beneficiary2', 'worker1', 'worker3', 'secretary1', 'manager2', 'cli1',
                  'admin1', 'dpo1'):
        logged_in(portal, login).get(url + 'contact-details', status=403)
    # the référent edits the administrative data through their own page
    assert logged_in(portal, 'worker1').get(url + 'edit-admin').status_int == 200
