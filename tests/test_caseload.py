"""The worker's caseload page (issue 16, "The worker's day"): search by name
prefix (accents and case aside), filters, sort, birth date, 50 rows a page,
delegated dossiers; and the summaries it reads, kept on write
(:mod:`portail.models.caseload`)."""
import random
from datetime import date, timedelta

import pytest

from portail.demo import contract_in_state
from portail.models import caseload
from portail.models.dossier import Delegation, Dossier, normalise_name
from portail.retention import erase
from tests.conftest import find_dossier, logged_in
from tests.test_contracts import (
    CONTRACT_START,
    consent_online,
    dossier_url,
    new_contract,
    record_on_paper,
    run_transition,
)

URL = '/dossiers/caseload'


def add_people(portal, login, people, state=None, review=None):
    """Dossiers for ``people`` ``[(last, first, born)]`` followed by ``login``;
    each with a contract in ``state`` (none if ``None``) reviewed on ``review``."""
    names = []
    with portal.root() as root:
        user = root.users.find_login(login)
        now = portal.clock.now()
        today = now.date()
        for last, first, born in people:
            dossier = Dossier(user.district, user.uid)
            dossier.last_name, dossier.first_names, dossier.birth_date = last, first, born
            dossier.created_at = now
            dossier.touch(user.uid, now)
            names.append(root.dossiers.add_dossier(dossier))
            if state is not None:
                values = {'start_date': today - timedelta(days=30), 'duration_months': 6,
                          'themes': ('emploi',), 'actions': 'Atelier.', 'commitments': '',
                          'review_date': review}
                contract_in_state(root, portal.registry, dossier, values, state)
    return names


def search(browser, **fields):
    form = browser.get(URL).forms['caseload-search']
    for key, value in fields.items():
        form[key] = value
    return form.submit()


def shown(page):
    """The names of the rows shown, in order."""
    return [a.text for a in page.html.select('#caseload-table tbody td:first-child a')]


def rows(page):
    return [[td.get_text(' ', strip=True) for td in tr.find_all('td')]
            for tr in page.html.select('#caseload-table tbody tr')]


def born(year):
    return date(year, 5, 17)


@pytest.fixture
def people(portal):
    add_people(portal, 'worker1', [('Eliot', 'Marc', born(1980)), ('Élise', 'Anne', born(1990)),
                                   ('ELIAS', 'Paul', born(1975)), ('Elodie', 'Claire', born(1985)),
                                   ('Eliot', 'Marc', born(1962))])
    # another worker's dossier of the same district, and one of another district
    add_people(portal, 'worker2', [('Eliane', 'Rose', born(1970))])
    add_people(portal, 'worker3', [('Elisabeth', 'Jeanne', born(1960))])
    return portal


def test_the_page_lists_the_caseload_by_name_with_the_birth_date(people):
    worker = logged_in(people, 'worker1')
    assert 'Rechercher dans mes dossiers' in worker.get('/').text  # linked from home
    page = worker.get(URL)
    names = shown(page)
    assert names == sorted(names, key=normalise_name)
    assert {'MARTIN Bernard', 'ELIOT Marc', 'ÉLISE Anne'} <= set(names)
    # homonyms told apart by their birth date
    eliots = [r for r in rows(page) if r[0] == 'ELIOT Marc']
    assert sorted(r[1] for r in eliots) == ['17/05/1962', '17/05/1980']
    martin = next(r for r in rows(page) if r[0] == 'MARTIN Bernard')
    assert martin[1] == '14/03/1979' and martin[2] == 'partagé avec la CLI'


def test_search_by_prefix_ignores_accents_and_case(people):
    worker = logged_in(people, 'worker1')
    for typed in ('éli', 'ELI', 'Eli', ' eLí '):
        page = search(worker, name=typed)
        assert sorted(shown(page)) == ['ELIAS Paul', 'ELIOT Marc', 'ELIOT Marc', 'ÉLISE Anne']
        assert page.forms['caseload-search']['name'].value == typed.strip()
    assert shown(search(worker, name='eliot m')) == ['ELIOT Marc', 'ELIOT Marc']
    assert shown(search(worker, name='élo')) == ['ELODIE Claire']
    assert 'Aucun dossier ne correspond' in search(worker, name='zz').text
    # the name typed never reaches a URL: the form is sent by POST
    assert worker.get(URL).forms['caseload-search'].method.lower() == 'post'


def test_a_worker_never_finds_another_worker_s_dossier(people):
    page = search(logged_in(people, 'worker1'), name='eli')
    assert 'ELIANE' not in page.text and 'ELISABETH' not in page.text
    page = search(logged_in(people, 'worker2'), name='eli')
    assert shown(page) == ['ELIANE Rose']
    assert shown(search(logged_in(people, 'worker3'), name='eli')) == ['ELISABETH Jeanne']


@pytest.mark.parametrize('login', ['secretary1', 'cli1', 'beneficiary1', 'admin1', 'manager1',
                                   'dpo1'])
def test_roles_without_a_caseload_are_refused(people, login):
    browser = logged_in(people, login)
    browser.get(URL, status=403)
    browser.post_csrf(URL, {'name': 'eli'}, status=403)


def test_filters_by_state_and_overdue_review_and_sorts_by_review(portal):
    today = portal.clock.now().date()
    add_people(portal, 'worker1', [('Alpha', 'Un', born(1980))], 'draft',
               today - timedelta(days=3))
    add_people(portal, 'worker1', [('Beta', 'Deux', born(1981))], 'entered',
               today - timedelta(days=10))
    add_people(portal, 'worker1', [('Gamma', 'Trois', born(1982))], 'entered',
               today + timedelta(days=10))
    add_people(portal, 'worker1', [('Delta', 'Quatre', born(1983))], 'closed',
               today - timedelta(days=20))
    add_people(portal, 'worker1', [('Epsilon', 'Cinq', born(1984))])
    worker = logged_in(portal, 'worker1')
    entered = shown(search(worker, state='entered'))
    assert 'BETA Deux' in entered and 'GAMMA Trois' in entered and 'ALPHA Un' not in entered
    assert shown(search(worker, state='draft', name='alp')) == ['ALPHA Un']
    closed = search(worker, state='closed', name='delta')
    assert shown(closed) == ['DELTA Quatre'] and rows(closed)[0][3] == ''  # no review once closed
    assert shown(search(worker, state='none', name='e')) == ['EPSILON Cinq']
    overdue = shown(search(worker, overdue=True))
    assert 'ALPHA Un' in overdue and 'BETA Deux' in overdue
    assert 'GAMMA Trois' not in overdue and 'DELTA Quatre' not in overdue
    page = search(worker, overdue=True, sort='review')
    order = shown(page)
    assert order.index('BETA Deux') < order.index('ALPHA Un')
    assert all('en retard' in r[3] for r in rows(page))
    # by review: the earliest first, those without review last
    order = shown(search(worker, sort='review'))
    assert order.index('BETA Deux') < order.index('ALPHA Un') < order.index('GAMMA Trois')
    assert order.index('GAMMA Trois') < order.index('EPSILON Cinq')


def test_pages_of_fifty_keep_the_query(portal):
    add_people(portal, 'worker1', [(f'Nom{n:03d}', 'Prénom', born(1950 + n % 50))
                                   for n in range(120)])
    worker = logged_in(portal, 'worker1')
    first = search(worker, name='nom')
    assert len(shown(first)) == 50
    assert 'Dossiers trouvés : 120, page 1 sur 3' in first.html.find('caption').get_text(' ')
    pager = first.forms['caseload-pages']
    assert pager['name'].value == 'nom'
    second = pager.submit('page', index=0)
    assert shown(second)[0] == 'NOM050 Prénom' and len(shown(second)) == 50
    third = second.forms['caseload-pages'].submit('page', index=1)
    assert shown(third) == [f'NOM{n:03d} Prénom' for n in range(100, 120)]
    back = third.forms['caseload-pages'].submit('page', index=0)
    assert shown(back) == shown(second)
    # a plain GET pages the whole caseload by number only
    whole = worker.get(URL + '?page=2')
    assert len(shown(whole)) == 50
    assert shown(worker.get(URL + '?page=999'))[-1].startswith('PETIT')  # the last page


def test_bad_input_is_brought_back_with_a_french_message(people):
    worker = logged_in(people, 'worker1')
    page = worker.post_csrf(URL, {'name': 'e' * 81, 'state': 'nope', 'sort': 'age',
                                  'page': '٣'})
    text = page.html.find(id='caseload-errors').get_text(' ')
    assert 'Le nom saisi est trop long' in text
    assert "Cet état de contrat n'existe pas" in text
    assert "Cet ordre de tri n'existe pas" in text
    assert "La page demandée n'est pas un nombre" in text
    assert 'MARTIN Bernard' in shown(page)
    assert worker.get(URL + '?page=abc').status_int == 200
    assert worker.get(URL + '?page=' + '9' * 400).status_int == 200
    assert worker.post_csrf(URL, {'name': ['a', 'b'], 'overdue': 'x'}).status_int == 200


def test_delegated_dossiers_are_listed_and_marked(people):
    with people.root() as root:
        worker1 = root.users.find_login('worker1')
        worker2 = root.users.find_login('worker2').uid
        eliane = find_dossier(root, 'Eliane')
        root.dossiers.delegate(eliane, Delegation(
            worker1.uid, people.clock.now().date() + timedelta(days=5), True, worker2,
            people.clock.now()))
    page = search(logged_in(people, 'worker1'), name='eli')
    eliane = next(r for r in rows(page) if r[0].startswith('ELIANE'))
    assert 'délégué' in eliane[0]
    assert 'délégué' not in next(r for r in rows(page) if r[0].startswith('ELIAS'))[0]
    # the delegation ended: gone
    people.clock.advance(days=6)
    assert 'ELIANE' not in search(logged_in(people, 'worker1'), name='eli').text


def test_an_absence_brings_the_colleague_s_caseload(people):
    from tests.test_absence import entrust

    entrust(logged_in(people, 'worker2'), people, to='worker1', days=3).follow()
    page = search(logged_in(people, 'worker1'), name='eli')
    assert any(r[0].startswith('ELIANE') and 'absence' in r[0] for r in rows(page))


# -- the summaries are kept on write -----------------------------------------


def assert_summaries_consistent(portal):
    """The summaries and the index equal a full recomputation from the dossiers."""
    with portal.root() as root:
        dossiers = root.dossiers
        expected = {name: caseload.summarise(d) for name, d in dossiers.items()}
        assert dict(dossiers.summaries.items()) == expected
        assert dict(dossiers.caseload_index.items()) == {
            (s.referent, s.key, name): s for name, s in expected.items()}


def test_summaries_stay_consistent_through_the_app(portal):
    rng = random.Random(16)
    assert_summaries_consistent(portal)
    worker = logged_in(portal, 'worker1')
    beneficiary = logged_in(portal, 'beneficiary1')
    martin = dossier_url(portal, 'Martin')
    durand = dossier_url(portal, 'Durand')
    contracts = []
    others = [durand, dossier_url(portal, 'Petit')]
    for dossier in [martin] + rng.sample(others, 2):  # Martin is beneficiary1's
        location = new_contract(worker, dossier, 'paper').location
        contracts.append(location.replace('http://localhost', ''))
    assert_summaries_consistent(portal)
    run_transition(worker, contracts[0], 'sign_paper').follow()
    record_on_paper(worker, contracts[0], 'processing', 'given').follow()
    run_transition(worker, contracts[0], 'enter').follow()
    assert_summaries_consistent(portal)
    # an edit of the draft's review date
    form = worker.get(contracts[1] + 'edit').forms['form']
    form['review_date'] = (CONTRACT_START + timedelta(days=30)).isoformat()
    form.submit()
    assert_summaries_consistent(portal)
    consent_online(beneficiary, contracts[0], 'processing', 'withdrawn')
    assert_summaries_consistent(portal)
    # the identity rectified
    form = worker.get(durand + 'edit-identity').forms['form']
    form['last_name'] = 'Durand-Éloi'
    form.submit().follow()
    assert 'DURAND-ÉLOI Aïcha' in shown(search(worker, name='durand-e'))
    assert_summaries_consistent(portal)
    # the référent changed by a qualified manager, then a whole caseload moved
    manager = logged_in(portal, 'manager2')
    with portal.root() as root:
        worker2 = root.users.find_login('worker2').uid
        district = root.users.find_login('worker1').district
        worker1 = root.users.find_login('worker1').uid
    form = manager.get(martin + 'reassign').forms['form']
    form['referent'] = worker2
    form.submit().follow()
    assert 'MARTIN' not in search(worker, name='mar').text
    assert 'MARTIN Bernard' in shown(search(logged_in(portal, 'worker2'), name='mar'))
    assert_summaries_consistent(portal)
    form = manager.get(f'/districts/{district}/reassign-caseload?from={worker2}').forms['form']
    form['to'], form['confirm'] = worker1, True
    form.submit().follow()
    assert 'MARTIN Bernard' in shown(search(worker, name='mar'))
    assert_summaries_consistent(portal)
    # time passes: the automatic closing of contracts past their end date
    from portail.system import SystemRequest
    from portail.workflow.contract import close_expired

    portal.clock.advance(days=400)
    with portal.root() as root:
        assert close_expired(SystemRequest(portal.registry, root), portal.clock.now().date())
    assert_summaries_consistent(portal)
    # a dossier erased (retention): its summary and its index key go
    with portal.root() as root:
        erase(root, find_dossier(root, 'Petit'))
    assert_summaries_consistent(portal)
    with portal.root() as root:
        assert not any('PETIT' in s.key for s in root.dossiers.summaries.values())


def test_a_transfer_moves_the_summary(portal):
    from tests.test_transfers import answer, ask_transfer

    _worker3, page = ask_transfer(portal)
    answer(logged_in(portal, 'worker1'), page.request.path, 'accepted', confirm=True).follow()
    assert_summaries_consistent(portal)
    assert 'MARTIN Bernard' in shown(search(logged_in(portal, 'worker3'), name='mart'))
    assert 'MARTIN' not in search(logged_in(portal, 'worker1'), name='mart').text


def test_evolve_step_builds_the_summaries_of_an_existing_database(portal):
    from portail.evolve import steps

    with portal.root() as root:
        root.dossiers.summaries = root.dossiers.caseload_index = None
    with portal.root() as root:
        steps.create_caseload_summaries(root._p_jar.root(), root._p_jar)
    assert_summaries_consistent(portal)


def test_summaries_order_puts_unset_fields_first():
    summary = caseload.Summary('u', 'K', 'N', date(1980, 1, 1), None, None, None)
    later = caseload.Summary('u', 'K', 'N', date(1980, 1, 1), 'draft', date(2026, 1, 1), None)
    assert summary < later and not later < summary and not summary < summary
    assert sorted([later, summary]) == [summary, later]
