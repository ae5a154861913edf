"""Issue 16: the lookup must not create duplicates.  A match in another
district offers a transfer request to the dossier's référent (or a qualified
manager of its district), who accepts -- the dossier moves with its history,
the person's account and its journal -- or refuses with a reason; a second
dossier needs a reason, which is journaled."""
from datetime import date, timedelta

import pytest

from portail.models.dossier import Delegation
from portail.statistics import counters
from tests.conftest import find_dossier, logged_in
from tests.test_dossiers import lookup
from tests.test_journal import entries

MARTIN = ('Martin', 'Bernard', '1979-03-14')
REASON = 'Le ménage a déménagé à Marseille en octobre.'


def form_to(page, ending):
    return [f for f in page.forms.values() if (f.action or '').endswith(ending)][0]


def has_form_to(page, ending):
    return any((f.action or '').endswith(ending) for f in page.forms.values())


def martin_id(portal):
    with portal.root() as root:
        return find_dossier(root, 'Martin').__name__


def ask_transfer(portal, login='worker3', reason=REASON):
    """``login`` looks Bernard Martin up and asks for the transfer; return
    their browser and the page of the request."""
    worker = logged_in(portal, login)
    page = form_to(lookup(worker, *MARTIN), '/request-transfer').submit()
    form = form_to(page, '/request-transfer')
    form['reason'] = reason
    return worker, form.submit().follow()


def answer(browser, url, decision, text='', confirm=False, status=None):
    form = form_to(browser.get(url), '/answer')
    form['decision'] = decision
    form['answer'] = text
    if confirm:
        form['confirm'] = True
    return form.submit(status=status)


def test_the_lookup_offers_a_transfer_for_a_match_in_another_district(portal):
    page = lookup(logged_in(portal, 'worker3'), *MARTIN)
    row = page.html.find('table').find('tbody').find('tr')
    assert 'Demander le transfert' in row.get_text()
    assert 'Créer quand même' in page.text
    assert 'rue des Lilas' not in page.text
    # in the dossier's own district there is nothing to transfer
    page = lookup(logged_in(portal, 'worker2'), *MARTIN)
    assert not has_form_to(page, '/request-transfer')
    # no match: the plain creation
    page = lookup(logged_in(portal, 'worker3'), 'Nouvelle', 'Personne', '1990-06-15')
    assert 'Créer quand même' not in page.text and has_form_to(page, '/dossiers/add')


def test_a_second_dossier_needs_a_reason_which_is_journaled(portal):
    worker = logged_in(portal, 'worker3')
    form = form_to(lookup(worker, *MARTIN), '/dossiers/add').submit().forms['form']
    assert 'Motif de la création' in form.text
    page = form.submit(status=400)
    assert 'Indiquez le motif en quelques mots' in page.text
    form = page.forms['form']
    form['duplicate_reason'] = 'Homonyme : une autre personne, vérifié au guichet.'
    dossier = form.submit().follow()
    assert 'vous en êtes le référent' in dossier.text
    with portal.root() as root:
        worker3 = root.users.find_login('worker3').uid
        created = [d for d in root.dossiers.lookup('Martin', 'Bernard', date(1979, 3, 14))
                   if d.referent == worker3][0].__name__
    last = next(e for e in entries(portal, created) if e.action.startswith('create'))
    assert (last.action, last.level) == ('create:duplicate', 2)
    assert last.detail == 'Homonyme : une autre personne, vérifié au guichet.'


def test_transfer_accepted_moves_the_dossier_with_its_history(portal):
    dossier_id = martin_id(portal)
    with portal.root() as root:
        worker1 = root.users.find_login('worker1')
        nord, sud = worker1.district, root.users.find_login('worker3').district
        martin = root.dossiers[dossier_id]
        shared = next(c for c in martin.contracts.values() if c.state == 'shared')
        shared_id, summary_id = shared.__name__, shared.cli_summary
        assert summary_id in root.cli[nord]
        worker2 = root.users.find_login('worker2').uid
        root.dossiers.delegate(martin, Delegation(
            worker2, portal.clock.now().date() + timedelta(days=10), True, worker1.uid,
            portal.clock.now()))
        history_before = len(shared.history)
    journal_before = len(entries(portal, dossier_id))

    worker3, page = ask_transfer(portal)
    assert 'Votre demande de transfert est envoyée' in page.text
    assert 'MARTIN Bernard' in page.text and REASON in page.text
    assert 'rue des Lilas' not in page.text  # level 1 only
    transfer_url = page.request.path
    worker3.get(f'/dossiers/{dossier_id}/', status=403)  # not before acceptance
    assert 'Transfert demandé, en attente de réponse' in worker3.get('/').text
    # asking twice: the request already sent
    page = lookup(worker3, *MARTIN)
    assert not has_form_to(page, '/request-transfer')
    assert 'Transfert demandé : voir la demande' in page.text

    # the référent sees it on their home and on the dossier
    referent = logged_in(portal, 'worker1')
    assert 'Demande de transfert à traiter' in referent.get('/').text
    assert transfer_url in referent.get(f'/dossiers/{dossier_id}/').text
    # accepting needs the confirmation
    page = answer(referent, transfer_url, 'accepted', status=400)
    assert 'Cochez la case pour confirmer' in page.text
    page = answer(referent, transfer_url, 'accepted', confirm=True).follow()
    assert 'Le dossier est transféré à Wassila Travailleuse' in page.text
    referent.get(f'/dossiers/{dossier_id}/', status=403)
    logged_in(portal, 'worker2').get(f'/dossiers/{dossier_id}/', status=403)  # ex-delegate

    with portal.root() as root:
        martin = root.dossiers[dossier_id]
        worker3_uid = root.users.find_login('worker3').uid
        assert (martin.district, martin.referent) == (sud, worker3_uid)
        assert len(martin.delegations) == 0
        assert root.users.get(martin.beneficiary).district == sud
        shared = martin.contracts[shared_id]
        assert (shared.state, shared.cli_summary) == ('entered', None)
        assert len(shared.history) == history_before + 1  # history kept, unshare added
        assert summary_id not in root.cli[nord]
        assert root.dossiers.of_beneficiary(martin.beneficiary) is martin
        assert counters.snapshot(root) == counters.recount(root)
    actions = [e.action for e in entries(portal, dossier_id)[journal_before:]]
    assert 'transfer:requested' in actions and 'transfer:accepted' in actions
    assert 'transition:unshare' in actions
    assert len(entries(portal, dossier_id)) > journal_before  # the same chain, kept

    # the requester is the référent now, and is told
    assert 'Transfert accepté : vous êtes le référent' in worker3.get('/').text
    assert 'rue des Lilas' in worker3.get(f'/dossiers/{dossier_id}/').text
    # the person still reaches their own dossier, and reads the transfer in its journal
    beneficiary = logged_in(portal, 'beneficiary1')
    assert 'MARTIN' in beneficiary.get(f'/dossiers/{dossier_id}/').text
    journal = beneficiary.get(f'/dossiers/{dossier_id}/journal').text
    assert 'transfert vers une autre circonscription' in journal
    assert 'demande de transfert' in journal


def pending_section(page):
    """The text of the home page's "À traiter" section ('' when it has none)."""
    found = page.html.find(id='pending')
    return found.get_text(' ', strip=True) if found is not None else ''


def menu_count(page):
    links = [a.get_text() for a in page.html.find('nav').find_all('a')]
    return [t for t in links if t.startswith('À traiter')]


def test_transfer_refused_by_a_qualified_manager(portal):
    dossier_id = martin_id(portal)
    manager = logged_in(portal, 'manager2')  # qualified manager of the district
    home = manager.get('/')
    assert menu_count(home) == ['À traiter (0)']
    assert 'Rien ne vous attend' in pending_section(home)
    worker3, page = ask_transfer(portal)
    transfer_url = page.request.path
    # the request reaches the manager's "À traiter", linked to where it is answered
    home = manager.get('/')
    assert menu_count(home) == ['À traiter (1)']
    assert 'Demande de transfert à traiter MARTIN Bernard' in pending_section(home)
    assert home.html.find(id='pending').find('a', href=lambda h: h and h.endswith(
        transfer_url))
    assert transfer_url in manager.get(f'/dossiers/{dossier_id}/').text
    page = answer(manager, transfer_url, 'refused', status=400)
    assert 'refusez-le en donnant le motif' in page.text
    page = answer(manager, transfer_url, 'refused', 'Suivi en cours, à revoir en janvier.')
    assert 'Le refus est enregistré' in page.follow().text
    page = worker3.get(transfer_url)
    assert 'Suivi en cours, à revoir en janvier.' in page.text
    assert 'Transfert refusé' in worker3.get('/').text
    with portal.root() as root:
        martin = root.dossiers[dossier_id]
        assert martin.referent == root.users.find_login('worker1').uid
        assert martin.district == root.users.find_login('worker1').district
    last = [e for e in entries(portal, dossier_id) if e.action.startswith('transfer')][-1]
    assert (last.action, last.detail) == ('transfer:refused',
                                          'Suivi en cours, à revoir en janvier.')
    # answered: no second answer, and nothing left to do
    assert not has_form_to(manager.get(transfer_url), '/answer')
    home = manager.get('/')
    assert menu_count(home) == ['À traiter (0)'] and 'MARTIN' not in pending_section(home)


def test_a_manager_who_is_not_a_social_worker_is_not_told_of_transfers(portal):
    """manager1 manages the same district without being a qualified social
    worker; the director has no district: neither has an "À traiter", and
    neither learns the name of the person asked for."""
    ask_transfer(portal)
    for login in ('manager1', 'director1'):
        home = logged_in(portal, login).get('/')
        assert menu_count(home) == [] and pending_section(home) == ''
        assert 'MARTIN' not in home.text


def test_the_manager_of_another_district_is_not_told(portal):
    """A qualified manager reads only their own district's requests."""
    ask_transfer(portal)
    with portal.root() as root:
        manager = root.users.find_login('manager2')
        worker3 = root.users.find_login('worker3')
        manager.district = worker3.district  # now the requester's district
    home = logged_in(portal, 'manager2').get('/')
    assert menu_count(home) == ['À traiter (0)'] and 'MARTIN' not in home.text


def test_who_may_not_answer_or_see_a_transfer(portal):
    dossier_id = martin_id(portal)
    worker3, page = ask_transfer(portal)
    transfer_url = page.request.path
    with portal.root() as root:
        martin = root.dossiers[dossier_id]
        root.dossiers.delegate(martin, Delegation(
            root.users.find_login('worker2').uid, portal.clock.now().date() + timedelta(days=5),
            True, martin.referent, portal.clock.now()))
    token = worker3.csrf()
    # the requester reads their request but does not answer it
    worker3.post(transfer_url + 'answer', {'csrf_token': token, 'decision': 'accepted',
                                           'confirm': 'yes'}, status=403)
    # a delegate stands in for the référent, but not for a transfer
    delegate = logged_in(portal, 'worker2')
    delegate.get(transfer_url, status=403)
    # a manager who is not a qualified social worker sees nothing
    manager1 = logged_in(portal, 'manager1')
    manager1.get(transfer_url, status=403)
    manager1.get(f'/dossiers/{dossier_id}/', status=403)
    # another worker of the other district, a secretary
    for login in ('secretary1', 'secretary2', 'cli1', 'dpo1'):
        logged_in(portal, login).get(transfer_url, status=403)
    logged_in(portal, 'secretary2').post_csrf('/dossiers/request-transfer', status=403)
    with portal.root() as root:
        assert root.dossiers[dossier_id].transfers[transfer_url.split('/')[-2]].status == 'open'


def test_a_transfer_request_names_the_dossier_by_its_identity(portal):
    dossier_id = martin_id(portal)
    worker3 = logged_in(portal, 'worker3')
    forged = {'dossier': dossier_id, 'last_name': 'Autre', 'first_names': 'Nom',
              'birth_date': '1979-03-14', 'reason': REASON}
    page = worker3.post_csrf('/dossiers/request-transfer', forged, status=400)
    assert 'Aucun dossier ne correspond plus' in page.text
    page = worker3.post_csrf('/dossiers/request-transfer',
                             dict(forged, birth_date='pas une date'), status=400)
    assert 'Aucun dossier ne correspond plus' in page.text
    # a worker of the same district: nothing to transfer
    genuine = dict(forged, last_name='Martin', first_names='Bernard')
    page = logged_in(portal, 'worker2').post_csrf('/dossiers/request-transfer', genuine,
                                                  status=400)
    assert 'déjà dans votre circonscription' in page.text
    page = worker3.post_csrf('/dossiers/request-transfer', dict(genuine, reason='ab'),
                             status=400)
    assert 'Donnez le motif du transfert' in page.text
    with portal.root() as root:
        assert root.dossiers[dossier_id].transfers is None


def test_move_to_keeps_every_index_in_step(portal):
    with portal.root() as root:
        dossiers = root.dossiers
        petit = find_dossier(root, 'Petit')  # a signed contract, in the entry queue
        worker1 = root.users.find_login('worker1')
        worker2, worker3 = (root.users.find_login(u) for u in ('worker2', 'worker3'))
        nord, sud = worker1.district, worker3.district
        signed = next(iter(petit.contracts.values()))
        assert signed.state == 'signed'
        ref = (petit.__name__, signed.__name__)
        dossiers.delegate(petit, Delegation(worker2.uid, portal.clock.now().date(), False,
                                            worker1.uid, portal.clock.now()))
        nord_queue = dossiers.signed_count(nord)
        sud_queue = dossiers.signed_count(sud)
        dossiers.move_to(petit, sud, worker3.uid)

        assert petit.district == sud and petit.referent == worker3.uid
        assert petit.__name__ not in dossiers.by_referent.get(worker1.uid, ())
        assert petit.__name__ in dossiers.by_referent[worker3.uid]
        assert ref in dossiers.contracts_by_district_state[(sud, 'signed')]
        assert ref not in dossiers.contracts_by_district_state.get((nord, 'signed'), ())
        assert dossiers.signed_count(nord) == nord_queue - 1
        assert dossiers.signed_count(sud) == sud_queue + 1
        assert signed.queue_key[0] == sud
        assert signed.stat_keys[0] == sud
        assert counters.snapshot(root) == counters.recount(root)
        assert all(key[0] == worker3.uid for key in petit.worklist_keys)
        assert any(key[3] == 'entry' for key in petit.worklist_keys)
        assert not any(k[0] == worker1.uid and k[4] == petit.__name__
                       for k in dossiers.worklist.keys())
        assert len(petit.delegations) == 0
        assert petit.__name__ not in dossiers.by_delegate.get(worker2.uid, ())
        # a copy shared with the old district's CLI must be withdrawn first
        with pytest.raises(ValueError):
            dossiers.move_to(find_dossier(root, 'Martin'), sud, worker3.uid)
