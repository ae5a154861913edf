"""The contract journeys of docs/domain.md, *Workflow*, through the web pages, as each role."""
import re
from datetime import timedelta

import pytest

from portail.demo import CONTENT, contract_in_state
from portail.models.contract import add_months
from portail.workflow.contract import PERMISSIONS_BY_STATE
from tests.conftest import START, find_dossier, logged_in, tick

#: the start date of the contracts these tests write (15/11 on the unshifted clock)
CONTRACT_START = START.date() + timedelta(days=13)


def form_posting_to(page, end):
    for form in page.forms.values():
        if (form.action or '').endswith(end):
            return form
    raise AssertionError(f'no form posting to {end}')


def dossier_url(portal, last_name):
    with portal.root() as root:
        return f'/dossiers/{find_dossier(root, last_name).__name__}/'


def contract_state(portal, url):
    dossier_id, contract_id = re.search(r'/dossiers/(\w+)/contracts/(\w+)/', url).groups()
    with portal.root() as root:
        return root.dossiers[dossier_id].contracts[contract_id].state


def new_contract(browser, dossier, channel='online', **values):
    page = browser.get(dossier + 'add-contract')
    form = page.forms['form']
    start = values.get('start_date', CONTRACT_START)
    form['start_date'] = start.isoformat()
    form['duration_months'] = str(values.get('duration', 6))
    tick(form, values.get('themes', ['emploi', 'logement']))
    form['actions'] = values.get('actions', 'Atelier CV ; rendez-vous Pôle emploi.')
    form['commitments'] = 'Accompagnement mensuel.'
    form['review_date'] = (start + timedelta(days=60)).isoformat()
    form['notice_channel'] = channel
    return form.submit()


def run_transition(browser, contract_url, name, status=None, **fields):
    page = browser.get(contract_url + f'transition?name={name}')
    form = form_posting_to(page, '/transition')
    for key, value in fields.items():
        form[key] = value
    return form.submit(status=status)


def consent_online(browser, contract_url, kind, decision):
    page = browser.get(contract_url + f'consent?kind={kind}&decision={decision}')
    return form_posting_to(page, '/consent').submit()


def record_on_paper(browser, contract_url, kind, decision, channel='paper'):
    page = browser.get(contract_url + 'record-consent')
    form = form_posting_to(page, '/record-consent')
    form['kind'], form['decision'], form['channel'] = kind, decision, channel
    return form.submit()


def test_online_journey(portal):
    """worker drafts → beneficiary signs online → secretary enters → worker shares →
    beneficiary withdraws."""
    worker = logged_in(portal, 'worker1')
    martin = dossier_url(portal, 'Martin')
    created = new_contract(worker, martin, 'online')
    assert created.status_int == 303
    contract = created.location.replace('http://localhost', '')
    assert 'Le brouillon du contrat est créé' in worker.get(contract).text

    beneficiary = logged_in(portal, 'beneficiary1')
    home = beneficiary.get('/')
    assert 'Atelier CV' in home.text and 'brouillon' in home.text
    # the signing page shows the whole contract before the beneficiary signs
    signing = beneficiary.get(contract + 'transition?name=sign')
    end = add_months(CONTRACT_START, 6)
    for text in ('Atelier CV', 'logement', 'Accompagnement mensuel',
                 CONTRACT_START.strftime('%d/%m/%Y'), end.strftime('%d/%m/%Y')):
        assert text in signing.text
    # signing without ticking the box is refused, in French
    refused = run_transition(beneficiary, contract, 'sign', status=400)
    assert 'Cochez la case' in refused.text
    run_transition(beneficiary, contract, 'sign', read='yes').follow()
    assert contract_state(portal, contract) == 'signed'
    consent_online(beneficiary, contract, 'processing', 'given').follow()

    secretary = logged_in(portal, 'secretary1')
    queue = secretary.get('/')
    assert 'MARTIN Bernard' in queue.text
    run_transition(secretary, contract, 'enter').follow()
    assert contract_state(portal, contract) == 'entered'
    assert 'MARTIN Bernard' not in secretary.get('/').text

    # sharing needs the beneficiary's consent: the guard names what is missing
    page = run_transition(worker, contract, 'share', status=400, fields=['themes'])
    assert "Le consentement du bénéficiaire au partage avec la CLI n'est pas enregistré" \
        in page.text
    consent_online(beneficiary, contract, 'share_cli', 'given')
    run_transition(worker, contract, 'share', fields=['themes', 'duration_months']).follow()
    assert contract_state(portal, contract) == 'shared'
    with portal.root() as root:
        cli_folder = root.cli[find_dossier(root, 'Martin').district]
        summaries = [s.fields for s in cli_folder.values()]
        assert {'themes': ['emploi', 'logement'], 'duration_months': 6} in summaries
        assert all('address' not in f and 'identity' not in f for f in summaries)
    before = len(summaries)

    # the beneficiary withdraws: the CLI copy disappears at once
    consent_online(beneficiary, contract, 'share_cli', 'withdrawn').follow()
    assert contract_state(portal, contract) == 'entered'
    with portal.root() as root:
        assert len(root.cli[find_dossier(root, 'Martin').district]) == before - 1
    page = beneficiary.get(contract)
    assert 'retiré' in page.text


def test_paper_journey(portal):
    worker = logged_in(portal, 'worker1')
    contract = new_contract(worker, dossier_url(portal, 'Durand'), 'paper').location
    contract = contract.replace('http://localhost', '')
    run_transition(worker, contract, 'sign_paper').follow()
    assert contract_state(portal, contract) == 'signed'
    page = run_transition(worker, contract, 'enter', status=400)
    assert "Le consentement du bénéficiaire à la saisie informatique n'est pas enregistré" \
        in page.text
    record_on_paper(worker, contract, 'processing', 'given').follow()
    run_transition(worker, contract, 'enter').follow()
    page = worker.get(contract)
    assert contract_state(portal, contract) == 'entered'
    assert 'sur papier' in page.text  # the channel of the signature and consent


def test_refusal_of_processing_keeps_only_paper_facts(portal):
    worker = logged_in(portal, 'worker1')
    with portal.root() as root:
        petit = find_dossier(root, 'Petit')
        contract = next(iter(petit.contracts.values()))
        url = f'/dossiers/{petit.__name__}/contracts/{contract.__name__}/'
        start = contract.start_date
    page = run_transition(worker, url, 'keep_on_paper', status=400)
    assert "refus" in page.text  # the guard: the refusal is not recorded yet
    record_on_paper(worker, url, 'processing', 'refused').follow()
    run_transition(worker, url, 'keep_on_paper', comment='Refus exprimé au rendez-vous').follow()
    page = worker.get(url)
    assert 'conservé sur papier uniquement' in page.text
    assert 'permis B' not in page.text and 'Refus exprimé' not in page.text
    with portal.root() as root:
        contract = root.dossiers[url.split('/')[2]].contracts[url.split('/')[4]]
        assert contract.state == 'paper' and contract.start_date == start
        assert contract.actions == '' and contract.themes == ()


def test_withdrawing_processing_turns_contracts_into_paper(portal):
    beneficiary = logged_in(portal, 'beneficiary1')
    with portal.root() as root:
        martin = find_dossier(root, 'Martin')
        shared = next(c for c in martin.contracts.values() if c.state == 'shared')
        url = f'/dossiers/{martin.__name__}/contracts/{shared.__name__}/'
        cli_before = len(root.cli[martin.district])
    page = beneficiary.get(url + 'consent?kind=processing&decision=withdrawn')
    assert 'effacé' in page.text  # the consequence is told before confirming
    form_posting_to(page, '/consent').submit().follow()
    assert contract_state(portal, url) == 'paper'
    with portal.root() as root:
        assert len(root.cli[find_dossier(root, 'Martin').district]) == cli_before - 1


def test_amendment_keeps_the_earlier_version(portal):
    worker = logged_in(portal, 'worker1')
    with portal.root() as root:
        leroy = find_dossier(root, 'Leroy')
        contract = next(iter(leroy.contracts.values()))
        url = f'/dossiers/{leroy.__name__}/contracts/{contract.__name__}/'
    run_transition(worker, url, 'amend', comment='Rectification demandée').follow()
    page = worker.get(url)
    assert contract_state(portal, url) == 'draft'
    assert 'Versions précédentes' in page.text and 'Rectification demandée' in page.text
    with portal.root() as root:
        contract = root.dossiers[url.split('/')[2]].contracts[url.split('/')[4]]
        assert contract.version == 2 and contract.versions[0]['state'] == 'entered'
        assert [r.target for r in contract.history][-2:] == ['entered', 'draft']
    # the new draft can be edited, and signed again
    edit = worker.get(url + 'edit').forms['form']
    edit['actions'] = 'Nouvelle action.'
    edit.submit().follow()
    run_transition(worker, url, 'sign_paper').follow()
    assert contract_state(portal, url) == 'signed'


def test_automatic_closing_after_the_end_date(portal):
    from portail.system import SystemRequest
    from portail.workflow.contract import close_expired

    with portal.root() as root:
        open_before = [c for d in root.dossiers.values() for c in d.contracts.values()
                       if c.state != 'closed']
        assert open_before
    portal.clock.advance(days=400)
    with portal.root() as root:
        closed = close_expired(SystemRequest(portal.registry, root), portal.clock.now().date())
        assert len(closed) == len(open_before)
        assert all(c.state == 'closed' and c.history[-1].actor == 'system' for c in closed)
        assert all(c.cli_summary is None for c in closed)
        assert sum(len(f) for f in root.cli.values()) == 0
        assert len(root.dossiers.contracts_by_end) == 0 or not any(
            len(b) for b in root.dossiers.contracts_by_end.values())
    with portal.root() as root:
        assert close_expired(SystemRequest(portal.registry, root),
                             portal.clock.now().date()) == []


@pytest.mark.parametrize('state', sorted(PERMISSIONS_BY_STATE))
def test_the_beneficiary_sees_the_contract_at_every_state(portal, state):
    with portal.root() as root:
        martin = find_dossier(root, 'Martin')
        values = dict(CONTENT, start_date=portal.clock.now().date(),
                      actions=f'Action visible en {state}')
        contract = contract_in_state(root, portal.registry, martin, values,
                                     'entered' if state == 'closed' else state)
        if state == 'closed':
            from portail.demo import ActingAs
            from portail.workflow.contract import CONTRACT_WORKFLOW

            CONTRACT_WORKFLOW.execute(contract, ActingAs(portal.registry, root,
                                                         martin.referent), 'close')
        url = f'/dossiers/{martin.__name__}/contracts/{contract.__name__}/'
        steps = len(contract.history)
    beneficiary = logged_in(portal, 'beneficiary1')
    page = beneficiary.get(url)
    assert page.status_int == 200
    assert len(page.html.select('caption')) >= 1
    history_rows = page.html.find('caption', string=re.compile('Historique')).find_parent(
        'table').select('tbody tr')
    assert len(history_rows) == steps
    if state != 'paper':
        assert f'Action visible en {state}' in page.text
    assert f'Action visible en {state}' in beneficiary.get('/').text or state == 'paper'


def test_lost_update_gives_a_409_naming_who_changed(portal):
    worker = logged_in(portal, 'worker1')
    secretary = logged_in(portal, 'secretary1')
    martin = dossier_url(portal, 'Martin')
    mine = worker.get(martin + 'edit-admin').forms['form']
    theirs = secretary.get(martin + 'edit-admin').forms['form']
    theirs['address'] = '1 rue Neuve, 59000 Lille'
    theirs.submit().follow()
    mine['address'] = '2 rue Ancienne, 59000 Lille'
    page = mine.submit(status=409)
    assert 'Modifié entre-temps' in page.text and 'Sophie Secrétaire' in page.text
    with portal.root() as root:
        assert find_dossier(root, 'Martin').address == '1 rue Neuve, 59000 Lille'


def test_two_users_on_the_same_transition(portal):
    worker = logged_in(portal, 'worker1')
    secretary = logged_in(portal, 'secretary1')
    with portal.root() as root:
        petit = find_dossier(root, 'Petit')
        url = f'/dossiers/{petit.__name__}/contracts/{next(iter(petit.contracts))}/'
    record_on_paper(worker, url, 'processing', 'given').follow()
    first = form_posting_to(worker.get(url + 'transition?name=enter'), '/transition')
    second = form_posting_to(secretary.get(url + 'transition?name=enter'), '/transition')
    second.submit().follow()
    page = first.submit(status=409)
    assert 'Sophie Secrétaire' in page.text
    with portal.root() as root:
        contract = root.dossiers[url.split('/')[2]].contracts[url.split('/')[4]]
        assert [r.transition for r in contract.history].count('enter') == 1


def test_the_menu_follows_the_permissions(portal):
    worker = logged_in(portal, 'worker1')
    with portal.root() as root:
        durand = find_dossier(root, 'Durand')
        url = f'/dossiers/{durand.__name__}/contracts/{next(iter(durand.contracts))}/'
    page = worker.get(url)
    names = set(re.findall(r'transition\?name=(\w+)', page.text))
    assert names == {'close'}
    # signing on paper has a page of its own (the date, the consents, the entry)
    assert url + 'record-paper-signature' in page.text
    # a transition outside the menu is refused with a message, nothing changes
    page = worker.get(url + 'transition?name=enter').follow()
    assert "n'est pas possible" in page.text
    assert contract_state(portal, url) == 'draft'


def test_contract_form_validation_is_french(portal):
    worker = logged_in(portal, 'worker1')
    form = worker.get(dossier_url(portal, 'Martin') + 'add-contract').forms['form']
    form['start_date'] = CONTRACT_START.isoformat()
    form['duration_months'] = '6'
    tick(form, ['emploi'])
    form['actions'] = 'x' * 1001
    # after the end of a six-month contract
    form['review_date'] = (CONTRACT_START + timedelta(days=290)).isoformat()
    page = form.submit(status=400)
    assert '1000 caractères au maximum (il y en a 1001)' in page.text
    form = page.forms['form']
    form['actions'] = 'Atelier'
    form['notice_channel'] = 'paper'
    page = form.submit(status=400)
    assert 'doit se situer entre le début et la fin' in page.text
    tick(page.forms['form'], [])
    assert 'Choisissez au moins un thème' in page.forms['form'].submit(status=400).text
