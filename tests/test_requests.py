"""Rights requests (docs/domain.md, *Rights of the person*): both channels, the deadline, the
answer, the DPO's list without content, limitation freezing the contracts."""
from datetime import timedelta

import pytest

from tests.conftest import find_dossier, logged_in
from tests.test_contracts import consent_online, run_transition


def martin(portal):
    with portal.root() as root:
        dossier = find_dossier(root, 'Martin')
        shared = next(c for c in dossier.contracts.values() if c.state == 'shared')
        url = f'/dossiers/{dossier.__name__}/'
        return url, f'{url}contracts/{shared.__name__}/'


def make_request(browser, url, kind, text, channel=None):
    page = browser.get(url + 'rights')
    form = [f for f in page.forms.values() if f.action.endswith('/rights')][0]
    form['kind'], form['text'] = kind, text
    if channel:
        form['channel'] = channel
    return form.submit()


def answer(browser, rq_url, decision, text='', status=None):
    page = browser.get(rq_url)
    form = [f for f in page.forms.values() if f.action.endswith('/answer')][0]
    if decision != 'lift':
        form['decision'] = decision
        form['answer'] = text
    return form.submit(status=status)


@pytest.mark.parametrize('kind', ['rectification', 'erasure', 'limitation', 'objection'])
def test_every_kind_from_both_channels(portal, kind):
    url, _contract = martin(portal)
    beneficiary = logged_in(portal, 'beneficiary1')
    page = make_request(beneficiary, url, kind, f'Demande en ligne {kind}').follow()
    deadline = (portal.clock.now().date() + timedelta(days=30)).strftime('%d/%m/%Y')
    assert deadline in page.text  # the legal month, shown to the beneficiary
    worker = logged_in(portal, 'worker1')
    page = make_request(worker, url, kind, f'Demande papier {kind}', channel='paper').follow()
    assert deadline in page.text and 'sur papier' in page.text and 'en ligne' in page.text
    with portal.root() as root:
        requests = list(find_dossier(root, 'Martin').requests.values())
        assert {(r.kind, r.channel) for r in requests} == {(kind, 'online'), (kind, 'paper')}


def test_the_referent_answers_and_the_beneficiary_reads_it(portal):
    url, _contract = martin(portal)
    beneficiary = logged_in(portal, 'beneficiary1')
    make_request(beneficiary, url, 'rectification', 'Mon adresse a changé')
    worker = logged_in(portal, 'worker1')
    rq_url = worker.get(url + 'rights').html.select('tbody a')[0]['href']
    refused = answer(worker, rq_url, 'refused', status=400)  # a refusal needs its reason
    assert 'role="alert"' in refused.text
    answer(worker, rq_url, 'refused', 'Justificatif de domicile manquant').follow()
    page = beneficiary.get(rq_url)
    assert 'Justificatif de domicile manquant' in page.text and 'refusée' in page.text
    # never the hierarchy, never the secretary
    for login in ('manager2', 'secretary1', 'dpo1', 'cli1'):
        assert logged_in(portal, login).get(url + 'rights', status=403)
        assert logged_in(portal, login).get(rq_url, status=403)


def test_the_dpo_sees_requests_and_overdue_ones_without_content(portal):
    url, _contract = martin(portal)
    make_request(logged_in(portal, 'beneficiary1'), url, 'objection', 'TEXTE-SECRET-QX')
    dpo = logged_in(portal, 'dpo1')
    page = dpo.get('/requests')
    assert 'opposition' in page.text and 'TEXTE-SECRET-QX' not in page.text
    assert len(dpo.get('/requests?filter=overdue').html.select('tbody tr')) == 0
    portal.clock.advance(days=32)
    dpo = logged_in(portal, 'dpo1')
    overdue = dpo.get('/requests?filter=overdue')
    assert len(overdue.html.select('tbody tr')) == 1 and 'en retard' in overdue.text
    assert logged_in(portal, 'worker1').get('/requests', status=403)


def test_an_accepted_limitation_freezes_the_contracts_until_lifted(portal):
    url, contract = martin(portal)
    beneficiary = logged_in(portal, 'beneficiary1')
    make_request(beneficiary, url, 'limitation', 'Je conteste les informations')
    worker = logged_in(portal, 'worker1')
    rq_url = worker.get(url + 'rights').html.select('tbody a')[0]['href']
    answer(worker, rq_url, 'accepted', 'Traitement limité pendant la vérification')
    page = run_transition(worker, contract, 'amend', status=400)
    assert 'limité' in page.text
    with portal.root() as root:
        assert find_dossier(root, 'Martin').limited
    # the person's own rights still work: withdrawing consent unshares
    consent_online(beneficiary, contract, 'share_cli', 'withdrawn')
    answer(worker, rq_url, 'lift').follow()
    run_transition(worker, contract, 'close').follow()
    with portal.root() as root:
        martin_dossier = find_dossier(root, 'Martin')
        assert not martin_dossier.limited
        assert {c.state for c in martin_dossier.contracts.values()} == {'closed'}


def test_bad_requests_are_answered_in_french(portal):
    url, _contract = martin(portal)
    beneficiary = logged_in(portal, 'beneficiary1')
    page = beneficiary.post(url + 'rights', {'csrf_token': beneficiary.csrf(),
                                             'kind': 'nonsense', 'text': 'x'}, status=400)
    assert 'role="alert"' in page.text
    worker = logged_in(portal, 'worker1')
    page = worker.post(url + 'rights', {'csrf_token': worker.csrf(), 'kind': 'erasure',
                                        'text': 'x', 'channel': 'online'}, status=400)
    assert 'role="alert"' in page.text  # the référent records paper or in-person only
