"""A social worker's "À traiter" (issue 16): the pending work of their
caseload and delegations, by deadline, with its count in the menu; each row
leads to where the work is done, and doing it removes the row.  Read from
the pending-work index (:mod:`portail.models.worklist`)."""
from datetime import timedelta

import transaction

from portail.models import worklist
from portail.models.contract import add_months
from tests.conftest import find_dossier, logged_in
from tests.test_contracts import (
    CONTRACT_START,
    consent_online,
    form_posting_to,
    new_contract,
    run_transition,
)
from tests.test_requests import answer, make_request


def dossier_url(portal, last_name='Martin'):
    with portal.root() as root:
        return f'/dossiers/{find_dossier(root, last_name).__name__}/'


def pending(browser):
    """The rows of the home page's "À traiter": ``[(what, person, when, link)]``,
    and the menu's count."""
    page = browser.get('/')
    section = page.html.find(id='pending')
    rows = []
    for tr in section.select('tbody tr'):
        cells = tr.select('td')
        rows.append((cells[0].get_text(' ', strip=True), cells[1].get_text(strip=True),
                     cells[2].get_text(' ', strip=True), cells[3].find('a')['href']))
    menu = [a.get_text(strip=True) for a in page.html.select('nav a')
            if a.get_text(strip=True).startswith('À traiter')]
    return rows, menu


def rows_about(rows, person, what):
    return [row for row in rows if row[1] == person and row[0].startswith(what)]


def test_a_rights_request_reaches_the_referent_until_it_is_answered(portal):
    url = dossier_url(portal)
    make_request(logged_in(portal, 'beneficiary1'), url, 'rectification', 'Mon adresse a changé')
    worker = logged_in(portal, 'worker1')
    rows, menu = pending(worker)
    found = rows_about(rows, 'MARTIN Bernard', 'Demande d’exercice des droits à traiter')
    assert len(found) == 1
    what, _person, when, link = found[0]
    assert 'rectification' in what
    deadline = add_months(portal.clock.now().date(), 1)
    assert deadline.strftime('%d/%m/%Y') in when
    assert f'dans {(deadline - portal.clock.now().date()).days} jours' in when
    assert menu == [f'À traiter ({len(rows)})']
    # another worker's list knows nothing of it
    assert not rows_about(pending(logged_in(portal, 'worker3'))[0], 'MARTIN Bernard', 'Demande')

    # a month and two days later it is overdue, and marked so
    portal.clock.advance(days=33)
    worker = logged_in(portal, 'worker1')
    when = rows_about(pending(worker)[0], 'MARTIN Bernard', 'Demande')[0][2]
    overdue = (portal.clock.now().date() - deadline).days
    assert f'en retard de {overdue} jours' in when
    assert 'class="overdue"' in worker.get('/').text

    # answering it, from the row's link, removes it
    answer(worker, link, 'accepted', 'Adresse corrigée').follow()
    assert not rows_about(pending(worker)[0], 'MARTIN Bernard', 'Demande')


def test_a_contract_signed_online_waits_for_entry_and_an_opinion_until_read(portal):
    url = dossier_url(portal)
    worker = logged_in(portal, 'worker1')
    contract = new_contract(worker, url, actions='Atelier OPINION-QX').location.replace(
        'http://localhost', '')
    beneficiary = logged_in(portal, 'beneficiary1')
    run_transition(beneficiary, contract, 'sign', read='yes')
    consent_online(beneficiary, contract, 'processing', 'given')
    rows = rows_about(pending(worker)[0], 'MARTIN Bernard', 'Contrat signé à saisir')
    assert len(rows) == 1 and rows[0][3].endswith(contract)
    assert f'depuis le {portal.clock.now():%d/%m/%Y}' in rows[0][2]
    run_transition(worker, contract, 'enter')
    assert not rows_about(pending(worker)[0], 'MARTIN Bernard', 'Contrat signé')

    consent_online(beneficiary, contract, 'share_cli', 'given')
    run_transition(worker, contract, 'share', fields=['themes', 'actions'])
    cli = logged_in(portal, 'cli1')
    with portal.root() as root:
        district = find_dossier(root, 'Martin').district
    shared = [cli.get(a['href']) for a in cli.get(f'/cli/{district}/').html.select('tbody a')]
    form = form_posting_to(next(p for p in shared if 'OPINION-QX' in p.text), '/opinion')
    form['opinion'] = 'favourable'
    form.submit()
    rows = rows_about(pending(worker)[0], 'MARTIN Bernard', 'Nouvel avis de la CLI')
    assert len(rows) == 1 and rows[0][3].endswith(contract)
    # the secretary reading the contract does not make it read
    logged_in(portal, 'secretary1').get(rows[0][3])
    assert rows_about(pending(worker)[0], 'MARTIN Bernard', 'Nouvel avis de la CLI') == rows
    # the référent does
    for row in rows:
        worker.get(row[3])
    assert not rows_about(pending(worker)[0], 'MARTIN Bernard', 'Nouvel avis')


def test_reviews_and_endings_appear_in_time(portal):
    url = dossier_url(portal)
    worker = logged_in(portal, 'worker1')
    start = CONTRACT_START
    contract = new_contract(worker, url, start_date=start,
                            duration=3).location.replace('http://localhost', '')
    run_transition(worker, contract, 'sign_paper')
    consent_online(logged_in(portal, 'beneficiary1'), contract, 'processing', 'given')
    run_transition(worker, contract, 'enter')
    review = start + timedelta(days=60)
    end = add_months(start, 3)

    def at(day):
        portal.clock.current = portal.clock.current.replace(
            year=day.year, month=day.month, day=day.day)
        return pending(logged_in(portal, 'worker1'))[0]

    about = f'contrat du {start:%d/%m/%Y}'
    assert not [r for r in at(review - timedelta(days=15)) if about in r[0]]
    rows = [r for r in at(review - timedelta(days=14)) if about in r[0]]
    assert [r[0] for r in rows] == [f'Bilan du contrat {about}']
    assert 'dans 14 jours' in rows[0][2]
    rows = [r for r in at(end - timedelta(days=30)) if about in r[0]]
    # the review is overdue by now
    assert sorted(r[0] for r in rows) == [f'Bilan du contrat {about}', f'Fin de contrat {about}']
    ending = next(r for r in rows if r[0].startswith('Fin de contrat'))
    assert 'dans 30 jours' in ending[2]
    assert f'add-contract?from={contract.rstrip("/").rsplit("/", 1)[1]}' in ending[3]


def test_a_delegate_sees_the_delegated_work_and_the_delegation(portal):
    url = dossier_url(portal)
    referent = logged_in(portal, 'worker1')
    page = referent.get(url + 'delegation')
    form = [f for f in page.forms.values() if f.action.endswith('/delegation')][0]
    with portal.root() as root:
        form['delegate'] = root.users.find_login('worker2').uid
    until = portal.clock.now().date() + timedelta(days=20)
    form['until'] = until.isoformat()
    form.submit()
    make_request(logged_in(portal, 'beneficiary1'), url, 'objection', 'Je m’oppose')
    delegate = logged_in(portal, 'worker2')
    rows = pending(delegate)[0]
    assert rows_about(rows, 'MARTIN Bernard', 'Délégation reçue')
    assert rows_about(rows, 'MARTIN Bernard', 'Demande d’exercice des droits à traiter')
    portal.clock.advance(days=14)
    rows = pending(logged_in(portal, 'worker2'))[0]
    assert not rows_about(rows, 'MARTIN Bernard', 'Délégation reçue')
    ending = rows_about(rows, 'MARTIN Bernard', 'Délégation qui se termine')
    assert ending and 'dans 6 jours' in ending[0][2]
    portal.clock.advance(days=7)
    assert not rows_about(pending(logged_in(portal, 'worker2'))[0], 'MARTIN Bernard', '')


def test_only_social_workers_have_a_to_do_list(portal):
    """... and the qualified manager of a district, for its transfer requests
    (tests/test_transfers.py); manager1 is not a social worker."""
    for login in ('secretary1', 'manager1', 'director1', 'cli1', 'dpo1', 'admin1',
                  'beneficiary1'):
        page = logged_in(portal, login).get('/').maybe_follow()
        assert page.html.find(id='pending') is None
        assert 'À traiter' not in ' '.join(a.get_text() for a in page.html.select('nav a'))


def test_the_evolve_step_builds_the_same_index_as_the_writes(portal):
    url = dossier_url(portal)
    make_request(logged_in(portal, 'beneficiary1'), url, 'erasure', 'Effacez tout')
    with portal.root() as root:
        kept = dict(root.dossiers.worklist.items())
        assert any(key[3] == worklist.REQUEST for key in kept)
        worklist.create(root.dossiers)
        assert dict(root.dossiers.worklist.items()) == kept
        transaction.abort()


def test_renew_opens_a_draft_taken_up_from_the_ending_contract(portal):
    url = dossier_url(portal)
    worker = logged_in(portal, 'worker1')
    contract = new_contract(worker, url, duration=3,
                            actions='Atelier RENOUVELLEMENT-QX').location.replace(
        'http://localhost', '')
    run_transition(worker, contract, 'sign_paper')
    consent_online(logged_in(portal, 'beneficiary1'), contract, 'processing', 'given')
    run_transition(worker, contract, 'enter')
    end = add_months(CONTRACT_START, 3)
    portal.clock.advance(days=(end - portal.clock.now().date()).days - 20)
    worker = logged_in(portal, 'worker1')
    rows = rows_about(pending(worker)[0], 'MARTIN Bernard', 'Fin de contrat')
    assert len(rows) == 1 and 'dans 20 jours' in rows[0][2]
    page = worker.get(rows[0][3])
    assert 'Renouveler le contrat' in page.text
    form = page.forms['form']
    assert form['start_date'].value == end.isoformat()
    assert form['duration_months'].value == '3'
    assert form['actions'].value == 'Atelier RENOUVELLEMENT-QX'
    assert form['review_date'].value == (end + timedelta(days=60)).isoformat()
    form['notice_channel'] = 'in_person'
    created = form.submit()
    assert created.status_int == 303
    # the renewal is under way: the ending leaves the list
    assert not rows_about(pending(worker)[0], 'MARTIN Bernard', 'Fin de contrat')
    # reading the previous contract to take it up is journaled
    with portal.root() as root:
        from portail.journal.model import JOURNAL_DB, ROOT_KEY

        dossier = find_dossier(root, 'Martin').__name__
        journal = root._p_jar.get_connection(JOURNAL_DB).root()[ROOT_KEY]
        name = contract.rstrip('/').rsplit('/', 1)[1]
        reads = [e for e in journal.chains[dossier].values()
                 if e.object == f'contract:{name}' and e.action == 'read']
        assert reads
        transaction.abort()
    # nobody else renews it
    logged_in(portal, 'worker3').get(rows[0][3], status=403)



def test_a_long_backlog_shows_its_most_urgent_rows_and_the_rest_page_by_page(portal):
    """The home page shows the 15 most urgent rows and links to "À traiter",
    which shows all of them, 50 a page, by deadline; the menu counts them all."""
    from portail.models.request import RightsRequest

    with portal.root() as root:
        dossiers = root.dossiers
        martin = find_dossier(root, 'Martin')
        uid = martin.referent
        for n in range(60):  # one a day: their deadlines are a day apart
            created = portal.clock.now() - timedelta(days=60 - n)
            dossiers.add_request(martin, RightsRequest('rectification', f'Demande {n}', 'paper',
                                                       uid, created))
    worker = logged_in(portal, 'worker1')
    home = worker.get('/')
    rows, menu = pending(worker)
    total = int(menu[0].split('(')[1].rstrip(')'))
    assert total >= 61 and len(rows) == 15
    assert f'Ce qui vous attend de plus urgent (15 sur {total})' in home.text
    link = home.html.find('a', string=lambda s: s and 'Voir tout ce qui vous attend' in s)
    assert link.get_text(' ', strip=True) == f'Voir tout ce qui vous attend ({total})'
    # the most urgent first: the oldest request's deadline is the most overdue
    assert 'en retard de' in rows[0][2]
    page = worker.get(link['href'])
    first = [tuple(td.get_text(' ', strip=True) for td in tr.select('td'))
             for tr in page.html.select('tbody tr')]
    assert len(first) == 50
    assert [r[:3] for r in first[:15]] == [r[:3] for r in rows]
    page = worker.get(page.html.find('a', rel='next')['href'])
    second = page.html.select('tbody tr')
    assert len(second) == total - 50
    assert 'page 2 sur 2' in ' '.join(page.html.find('caption').get_text(' ').split())
    # a secretary has no "À traiter"; nor a worker of another district these rows
    assert 'Rien ne vous attend' in logged_in(portal, 'secretary1').get('/pending').text
    assert 'MARTIN' not in logged_in(portal, 'worker3').get('/pending').text
