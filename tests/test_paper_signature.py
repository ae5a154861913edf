"""Signing on paper in one screen (issue 16): after printing, one form records
the signature date, the consents ticked on the paper and, when the user may,
enters the contract at once; the new-contract form proposes its dates."""
from datetime import timedelta

import pytest

from portail.formkeys import ALREADY_DONE_MESSAGE
from portail.models.contract import add_months
from tests.conftest import START, find_dossier, logged_in
from tests.test_contracts import contract_state, dossier_url, form_posting_to, new_contract

TODAY = START.date()


def draft_on_martin(portal):
    """A new draft on Bernard Martin's dossier (référent worker1, beneficiary1)."""
    worker = logged_in(portal, 'worker1')
    created = new_contract(worker, dossier_url(portal, 'Martin'), 'paper',
                           start_date=TODAY + timedelta(days=13))
    assert created.status_int == 303
    return worker, created.location.replace('http://localhost', '')


def contract_of(root, url):
    parts = url.split('/')
    return root.dossiers[parts[2]].contracts[parts[4]]


def signature_form(browser, url, **values):
    form = form_posting_to(browser.get(url + 'record-paper-signature'),
                           '/record-paper-signature')
    for name, value in values.items():
        form[name] = value
    return form


def test_one_form_signs_records_the_consents_and_enters(portal):
    worker, url = draft_on_martin(portal)
    # the contract page and the printable page lead to the one screen
    assert 'record-paper-signature' in worker.get(url).text
    assert url + 'record-paper-signature' in worker.get(url + 'print').text
    page = worker.get(url + 'record-paper-signature')
    form = form_posting_to(page, '/record-paper-signature')
    assert form['signed_on'].value == TODAY.isoformat()  # today, from the portal's clock
    assert form['share_cli'].value == 'not_asked'
    assert 'Saisir le contrat maintenant' in page.text  # the référent may enter
    form['processing'] = 'given'
    form['share_cli'] = 'given'
    form['enter'] = 'yes'
    done = form.submit()
    assert done.status_int == 303
    assert 'le contrat est saisi' in done.follow().text
    with portal.root() as root:
        contract = contract_of(root, url)
        assert contract.state == 'entered'
        assert [r.transition for r in contract.history] == ['draft', 'sign_paper', 'enter']
        assert contract.history[1].channel == 'paper'
        assert contract.signed_on == TODAY
        assert [(c.kind, c.decision, c.channel) for c in contract.consents] == [
            ('notice', 'given', 'paper'), ('processing', 'given', 'paper'),
            ('share_cli', 'given', 'paper')]
        assert contract.fingerprint == contract.compute_fingerprint()
    # the same form sent again (a double click, the back button): applied once
    again = form.submit(status=409)
    assert portal.fr(ALREADY_DONE_MESSAGE) in again.text and 'Déjà fait' in again.text
    with portal.root() as root:
        assert len(contract_of(root, url).history) == 3


def test_an_earlier_signature_date_is_kept_and_shown(portal):
    _worker, url = draft_on_martin(portal)
    portal.clock.advance(days=3)
    worker = logged_in(portal, 'worker1')
    signed = (START + timedelta(days=1)).date()
    form = signature_form(worker, url, signed_on=signed.isoformat(), processing='given')
    page = form.submit().follow()
    assert 'le contrat attend sa saisie' in page.text
    assert 'Signé sur papier le' in page.text and signed.strftime('%d/%m/%Y') in page.text
    with portal.root() as root:
        contract = contract_of(root, url)
        assert contract.state == 'signed' and contract.signed_on == signed
        # the history says when it was recorded
        assert contract.history[-1].at == portal.clock.now()


@pytest.mark.parametrize(('days', 'message'), [
    (1, "La date de signature ne peut pas être postérieure à aujourd'hui."),
    (-1, 'La date de signature ne peut pas être antérieure à la création du brouillon '
         f'({TODAY.strftime("%d/%m/%Y")}).'),
])
def test_a_signature_date_out_of_bounds_is_refused_in_french(portal, days, message):
    worker, url = draft_on_martin(portal)
    form = signature_form(worker, url, signed_on=(TODAY + timedelta(days=days)).isoformat(),
                          processing='given', enter='yes')
    page = form.submit(status=400)
    assert message in page.text.replace('&#39;', "'")
    assert contract_state(portal, url) == 'draft'
    # corrected, the same form goes through (a refusal does not use its key)
    form['signed_on'] = TODAY.isoformat()
    assert form.submit().status_int == 303
    assert contract_state(portal, url) == 'entered'


@pytest.mark.parametrize(('values', 'message'), [
    ({'signed_on': ''}, 'Indiquez la date de la signature'),
    ({'signed_on': '31/12/2026'}, 'Indiquez la date de la signature'),
    ({'processing': ''}, 'Indiquez si la personne a accepté le traitement informatisé'),
    ({'processing': 'withdrawn'}, 'Indiquez si la personne a accepté le traitement informatisé'),
    ({'share_cli': 'maybe'}, 'Indiquez si la personne a accepté le partage avec la CLI'),
    ({'processing': 'refused', 'enter': 'yes'},
     'Le contrat ne peut pas être saisi : la personne a refusé le traitement informatisé'),
])
def test_wrong_values_answer_400_in_french(portal, values, message):
    worker, url = draft_on_martin(portal)
    form = signature_form(worker, url)
    params = {name: form[name].value for name in ('csrf_token', 'form_key', 'serial')}
    params.update({'signed_on': TODAY.isoformat(), 'processing': 'given',
                   'share_cli': 'not_asked'}, **values)
    answer = worker.post(url + 'record-paper-signature', params, status=400)
    assert message in answer.text
    assert 'Traceback' not in answer.text
    assert contract_state(portal, url) == 'draft'


def test_a_refused_processing_keeps_the_contract_on_paper(portal):
    worker, url = draft_on_martin(portal)
    form = signature_form(worker, url, processing='refused', share_cli='refused')
    page = form.submit().follow()
    assert 'le contrat est conservé sur papier uniquement' in page.text
    with portal.root() as root:
        contract = contract_of(root, url)
        assert contract.state == 'paper'
        assert [r.transition for r in contract.history] == ['draft', 'sign_paper',
                                                            'keep_on_paper']
        assert contract.actions == '' and contract.signed_on == TODAY
        assert contract.latest_consent('processing').decision == 'refused'
        assert contract.latest_consent('share_cli').decision == 'refused'


def test_the_steps_run_in_one_transaction(portal, monkeypatch):
    """A step that fails after the signature leaves nothing behind."""
    import dataclasses

    from portail.workflow import contract as workflow

    worker, url = draft_on_martin(portal)

    def refuse(contract, request, **options):
        return 'CANARY refusal'

    enter = workflow.CONTRACT_WORKFLOW.transitions['enter']
    monkeypatch.setitem(workflow.CONTRACT_WORKFLOW.transitions, 'enter',
                        dataclasses.replace(enter, guards=(refuse,)))
    form = signature_form(worker, url, processing='given', share_cli='given', enter='yes')
    assert 'CANARY refusal' in form.submit(status=400).text
    with portal.root() as root:
        contract = contract_of(root, url)
        assert contract.state == 'draft'
        assert [r.transition for r in contract.history] == ['draft']
        assert [c.kind for c in contract.consents] == ['notice']


@pytest.mark.parametrize('login', ['secretary1', 'beneficiary1', 'worker3', 'cli1',
                                   'manager2', 'admin1', 'dpo1'])
def test_only_those_who_may_sign_on_paper_reach_the_page(portal, login):
    _worker, url = draft_on_martin(portal)
    other = logged_in(portal, login)
    other.get(url + 'record-paper-signature', status=403)
    other.post(url + 'record-paper-signature',
               {'csrf_token': other.csrf(), 'processing': 'given'}, status=403)
    assert contract_state(portal, url) == 'draft'


def test_the_entry_is_offered_only_when_the_matrix_would_allow_it(portal, monkeypatch):
    """The matrix's row of ``signed``, not a role, says whether entering is offered."""
    from portail.acl import localroles as L
    from portail.acl import matrix
    from portail.acl import permissions as P

    worker, url = draft_on_martin(portal)
    signed = dict(matrix.MATRIX['contract']['signed'])
    for role in (L.REFERENT, L.DELEGATE):
        signed[role] = signed[role] - {P.ENTER}
    monkeypatch.setitem(matrix.MATRIX['contract'], 'signed', signed)
    monkeypatch.setattr(matrix, '_ACLS', {})
    page = worker.get(url + 'record-paper-signature')
    assert 'Saisir le contrat maintenant' not in page.text
    form = form_posting_to(page, '/record-paper-signature')
    form['processing'] = 'given'
    assert 'le contrat attend sa saisie' in form.submit().follow().text
    assert contract_state(portal, url) == 'signed'


def test_a_page_drawn_before_a_change_is_refused(portal):
    worker, url = draft_on_martin(portal)
    form = signature_form(worker, url, processing='given')
    signature_form(worker, url, processing='given').submit()
    page = form.submit(status=409)
    assert 'Traceback' not in page.text


def test_out_of_draft_the_page_sends_back_to_the_contract(portal):
    worker, url = draft_on_martin(portal)
    signature_form(worker, url, processing='given').submit()
    page = worker.get(url + 'record-paper-signature').follow()
    assert "n'est pas possible" in page.text


def test_the_new_contract_form_proposes_its_dates(portal):
    worker = logged_in(portal, 'worker1')
    form = worker.get(dossier_url(portal, 'Martin') + 'add-contract').forms['form']
    assert form['start_date'].value == TODAY.isoformat()
    assert form['duration_months'].value == '6'
    assert form['review_date'].value == add_months(TODAY, 3).isoformat()
    assert form['notice_channel'].value == ''  # a fact stated each time, never proposed


def test_a_renewal_starts_when_the_previous_contract_ends(portal):
    worker = logged_in(portal, 'worker1')
    with portal.root() as root:
        martin = find_dossier(root, 'Martin')
        previous = next(c for c in martin.contracts.values() if c.state == 'shared')
        end, name = previous.end_date, previous.__name__
    form = worker.get(dossier_url(portal, 'Martin') + f'add-contract?from={name}').forms['form']
    assert form['start_date'].value == end.isoformat()
