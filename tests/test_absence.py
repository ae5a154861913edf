"""A social worker's absence (issue 16): all their dossiers entrusted to a
colleague of the district until an end date, in one action, checked when a
dossier is opened (nothing copied into the dossiers), revocable, and shown in
the colleague's caseload and "À traiter"."""
from datetime import timedelta

import transaction

from portail.journal.model import JOURNAL_DB, ROOT_KEY, chain_key
from tests.conftest import find_dossier, logged_in
from tests.test_requests import make_request

CHOOSE = 'Choisissez un travailleur social ou une travailleuse sociale de la circonscription.'


def martin(portal):
    with portal.root() as root:
        dossier = find_dossier(root, 'Martin')
        note = next(iter(dossier.notes))
        return f'/dossiers/{dossier.__name__}/', note


def uid_of(portal, login):
    with portal.root() as root:
        return root.users.find_login(login).uid


def entrust(browser, portal, to='worker2', days=10, notes=False, status=None):
    form = [f for f in browser.get('/absence').forms.values()
            if f.action.endswith('/absence')][0]
    form['delegate'].force_value(uid_of(portal, to))
    form['until'] = (portal.clock.now().date() + timedelta(days=days)).isoformat()
    if notes:
        form['notes'] = True
    return form.submit(status=status)


def test_a_colleague_follows_every_dossier_until_the_end_date(portal):
    url, note = martin(portal)
    logged_in(portal, 'worker2').get(url, status=403)
    referent = logged_in(portal, 'worker1')
    page = entrust(referent, portal).follow()
    assert 'Vos dossiers sont confiés à William Travailleur jusqu’au' in page.text
    colleague = logged_in(portal, 'worker2')
    colleague.get(url, status=200)
    # the notes only if the référent said so
    colleague.get(f'{url}notes/{note}/', status=403)
    home = colleague.get('/')
    assert 'MARTIN Bernard' in home.html.find(id='caseload-title').find_parent('section').text
    pending = home.html.find(id='pending').get_text(' ', strip=True)
    assert 'Absence de Wanda Travailleuse' in pending
    # the person's request reaches the colleague's "À traiter"
    make_request(logged_in(portal, 'beneficiary1'), url, 'rectification', 'Adresse')
    pending = logged_in(portal, 'worker2').get('/').html.find(id='pending').get_text(' ')
    assert 'Demande d’exercice des droits à traiter' in pending and 'MARTIN Bernard' in pending
    # the day after the end date, nothing any more, with no job run
    portal.clock.advance(days=11)
    logged_in(portal, 'worker2').get(url, status=403)
    assert 'MARTIN Bernard' not in logged_in(portal, 'worker2').get('/').text


def test_with_the_notes_and_ended_early(portal):
    url, note = martin(portal)
    referent = logged_in(portal, 'worker1')
    entrust(referent, portal, notes=True)
    colleague = logged_in(portal, 'worker2')
    colleague.get(f'{url}notes/{note}/', status=200)
    page = referent.get('/absence')
    form = [f for f in page.forms.values() if f.action.endswith('/end-absence')][0]
    assert 'Vos dossiers sont de nouveau confiés à vous seul' in form.submit().follow().text
    logged_in(portal, 'worker2').get(url, status=403)
    with portal.root() as root:
        journal = root._p_jar.get_connection(JOURNAL_DB).root()[ROOT_KEY]
        chain = journal.chains[chain_key(None, uid_of(portal, 'worker1'))]
        actions = [e.action for e in chain.values()]
        assert 'absence-delegation' in actions and 'absence-ended' in actions
        transaction.abort()


def test_refused_choices_and_who_may(portal):
    referent = logged_in(portal, 'worker1')
    page = entrust(referent, portal, to='worker3', status=400)  # another district
    assert CHOOSE in page.text
    page = entrust(referent, portal, to='secretary1', status=400)
    assert CHOOSE in page.text
    page = entrust(referent, portal, days=-1, status=400)
    url, _note = martin(portal)
    logged_in(portal, 'worker2').get(url, status=403)
    for login in ('secretary1', 'manager2', 'cli1', 'dpo1', 'admin1', 'beneficiary1'):
        logged_in(portal, login).get('/absence', status=403)
