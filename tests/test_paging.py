"""The secretary's entry queue and the CLI worklist are paged listings read
from ordered indexes kept up to date on write (issue 7): at most
``PAGE_SIZE`` rows a page, in order, with the total; a bad page number lands
on a page that exists; rows leave the listing as their contract changes;
another district's rows never appear; evolve step 0005 builds the very
indexes that live maintenance keeps."""
from datetime import date, timedelta

import pytest
import transaction
from pyramid.testing import DummyRequest
from ZODB import DB
from ZODB.MappingStorage import MappingStorage

from portail import evolve as ev
from portail.demo import CONTENT, ActingAs, contract_in_state
from portail.evolve import DONE_KEY
from portail.models.cli import CliDistrict
from portail.models.dossier import Dossier, Dossiers, signed_at
from portail.models.ordered import OrderedIndex, time_key, time_of
from portail.models.user import User
from portail.paging import PAGE_SIZE, Page, requested_page
from portail.workflow.consents import record_consent
from portail.workflow.contract import CONTRACT_WORKFLOW
from tests.conftest import START, accept_charter, find_dossier, logged_in
from tests.test_contracts import run_transition

#: contracts added to the demo's district 1: with the demo's own, two pages
EXTRA = PAGE_SIZE + 10


def add_contracts(portal, state, count, prefix):
    """``count`` dossiers of worker1 (district 1), one contract each brought
    to ``state`` by the workflow, one minute apart, oldest first.

    Return ``[(display name, contract URL, CLI pseudonym or None)]``."""
    made = []
    with portal.root() as root:
        worker = root.users.find_login('worker1')
        for number in range(count):
            portal.clock.advance(minutes=1)
            dossier = Dossier(worker.district, worker.uid)
            dossier.last_name, dossier.first_names = f'{prefix}{number:03d}', 'Test'
            dossier.birth_date = date(1980, 1, 1)
            dossier.created_at = portal.clock.now()
            root.dossiers.add_dossier(dossier)
            start = portal.clock.now().date()
            values = dict(CONTENT, start_date=start, review_date=start + timedelta(days=90))
            contract = contract_in_state(root, portal.registry, dossier, values, state)
            folder = root.cli[dossier.district]
            pseudonym = folder[contract.cli_summary].pseudonym if contract.cli_summary else None
            made.append((dossier.display_name,
                         f'/dossiers/{dossier.__name__}/contracts/{contract.__name__}/',
                         pseudonym))
    return made


def queue_rows(page):
    """The names in the secretary's queue of a home page, in order."""
    return [a.text for a in page.html.select('section[aria-labelledby=queue-title] tbody a')]


def worklist_rows(page):
    """The pseudonyms of a facilitator's home page, in order."""
    return [a.text for a in page.html.select('section[aria-labelledby=cli-title] li > a')]


def pager_links(page, section):
    """``{rel: href}`` of the pager of ``section`` (an ``aria-labelledby`` id)."""
    nav = page.html.select_one(f'section[aria-labelledby={section}] nav.pager')
    return {} if nav is None else {a['rel'][0]: a['href'] for a in nav.select('a')}


def north(portal):
    with portal.root() as root:
        return find_dossier(root, 'Martin').district


def add_cli2(portal):
    """A CLI facilitator of district 2 (the demo has none)."""
    with portal.root() as root:
        user = User('cli2', 'Carla Animatrice', ('cli',), root.users.find_login('worker3').district)
        user.password_hash = root.users.find_login('cli1').password_hash
        user.password_changed_at, user.must_change_password = portal.clock.now(), False
        user.password_never_expires = True
        root.users.add_user(user)
        accept_charter(root, user)


# -- the pages ----------------------------------------------------------------


def test_page_numbers_are_brought_within_the_pages():
    assert Page(1, 0).pages == 1 and Page(1, 50).pages == 1 and Page(1, 51).pages == 2
    assert (Page(2, 120).start, Page(2, 120).previous, Page(2, 120).next) == (50, 1, 3)
    assert (Page(3, 120).previous, Page(3, 120).next) == (2, None)
    for raw, number in (('2', 2), (' 3 ', 3), ('0', 1), ('-4', 1), ('abc', 1), ('', 1),
                        ('2.5', 1), ('1e3', 1), ('99', 3), ('9' * 5000, 3), ('٣', 1),
                        ('²', 1), (None, 1)):
        params = {} if raw is None else {'page': raw}
        assert requested_page(DummyRequest(params=params), 'page', 120).number == number
    assert requested_page(DummyRequest(params={'page': '7'}), 'page', 0).number == 1


def test_time_keys_sort_as_time_and_come_back():
    earlier, later = START, START + timedelta(microseconds=1)
    assert time_key(earlier) < time_key(later)
    assert time_key(earlier, newest_first=True) > time_key(later, newest_first=True)
    assert time_of(time_key(later)) == later == time_of(time_key(later, newest_first=True))


def test_an_ordered_index_reads_a_page_without_the_rest():
    """On a cold connection, the first page and the count load a few objects
    of a 3 000-key index, not its hundred buckets."""
    db = DB(MappingStorage())
    conn = db.open()
    conn.root()['index'] = index = OrderedIndex()
    for number in range(3000):
        index.add((number, 'id'))
    index.add((5, 'id'))  # already there: not counted twice
    index.discard((3000, 'id'))  # not there: nothing happens
    transaction.commit()
    conn.close()
    db.pool.clear()
    db.cacheMinimize()
    conn = db.open()
    conn.getTransferCounts(clear=True)
    index = conn.root()['index']
    assert len(index) == 3000
    assert index.slice(0, PAGE_SIZE) == [(n, 'id') for n in range(PAGE_SIZE)]
    loads, _stores = conn.getTransferCounts()
    # the mapping, the index, its counter and tree, the few buckets of 50 keys
    # (of about 200): slicing the tree's keys() would have loaded them all
    assert loads <= 12
    assert index.slice(2990, PAGE_SIZE) == [(n, 'id') for n in range(2990, 3000)]
    assert index.slice(3000, PAGE_SIZE) == []
    conn.close()
    db.close()


# -- the secretary's queue ------------------------------------------------------


def test_the_queue_shows_fifty_rows_oldest_signature_first(portal):
    made = [name for name, _url, _p in add_contracts(portal, 'signed', EXTRA, 'Queue')]
    secretary = logged_in(portal, 'secretary1')
    first = secretary.get('/')
    rows = queue_rows(first)
    assert len(rows) == PAGE_SIZE
    # the demo's two, signed before, then the new ones in the order they were signed
    assert set(rows[:2]) == {'PETIT Jules', 'FOURNIER Sylvie'}
    assert rows[2:] == made[:PAGE_SIZE - 2]
    caption = first.html.select_one('section[aria-labelledby=queue-title] caption').text
    caption = ' '.join(caption.split())
    assert f'prêts à saisir : {EXTRA + 2},' in caption and 'page 1 sur 2' in caption
    links = pager_links(first, 'queue-title')
    assert list(links) == ['next'] and links['next'].endswith('/?queue_page=2#queue-title')
    nav = first.html.select_one('section[aria-labelledby=queue-title] nav.pager')
    assert nav['aria-label'] == 'Pages des contrats à saisir'

    second = secretary.get(links['next'])
    assert queue_rows(second) == made[PAGE_SIZE - 2:]
    assert 'page 2 sur 2' in ' '.join(second.text.split())
    links = pager_links(second, 'queue-title')
    assert list(links) == ['prev'] and links['prev'].endswith('/#queue-title')


@pytest.mark.parametrize('raw, number', [
    ('abc', 1), ('-3', 1), ('0', 1), ('', 1), ('2.5', 1), ('%C3%A9t%C3%A9', 1), ('2', 2),
    ('3', 2), ('999999999999999999999', 2)])
def test_a_bad_queue_page_lands_on_a_page(portal, raw, number):
    add_contracts(portal, 'signed', EXTRA, 'Queue')
    page = logged_in(portal, 'secretary1').get(f'/?queue_page={raw}', status=200)
    assert len(queue_rows(page)) == (PAGE_SIZE if number == 1 else EXTRA + 2 - PAGE_SIZE)
    assert f'page {number} sur 2' in ' '.join(page.text.split())


def test_an_entered_contract_leaves_the_queue(portal):
    made = add_contracts(portal, 'signed', EXTRA, 'Queue')
    name, url, _ = made[0]
    with portal.root() as root:
        contract = root.dossiers.contract(url.split('/')[2:5:2])
        record_consent(ActingAs(portal.registry, root, contract.dossier.referent), contract,
                       'processing', 'given', 'paper')
    secretary = logged_in(portal, 'secretary1')
    assert name in queue_rows(secretary.get('/'))
    run_transition(secretary, url, 'enter').follow()
    first = secretary.get('/')
    assert name not in queue_rows(first)
    assert f'prêts à saisir : {EXTRA + 1},' in ' '.join(first.html.select_one(
        'section[aria-labelledby=queue-title] caption').text.split())
    # the first row of the second page moved up
    assert queue_rows(first)[-1] == made[PAGE_SIZE - 2][0]
    assert name not in queue_rows(secretary.get('/?queue_page=2'))


def test_a_contract_signed_again_joins_the_end_of_the_queue(portal):
    made = add_contracts(portal, 'signed', 3, 'Queue')
    name, url, _ = made[0]
    with portal.root() as root:
        contract = root.dossiers.contract(url.split('/')[2:5:2])
        as_referent = ActingAs(portal.registry, root, contract.dossier.referent)
        portal.clock.advance(minutes=5)
        CONTRACT_WORKFLOW.execute(contract, as_referent, 'amend')
        assert contract.queue_key is None
        portal.clock.advance(minutes=5)
        CONTRACT_WORKFLOW.execute(contract, as_referent, 'sign_paper', channel='paper')
    rows = queue_rows(logged_in(portal, 'secretary1').get('/'))
    assert rows[2:] == [made[1][0], made[2][0], name]


def test_another_district_sees_nothing_of_the_queue(portal):
    made = add_contracts(portal, 'signed', EXTRA, 'Queue')
    secretary2 = logged_in(portal, 'secretary2')
    for path in ('/', '/?queue_page=2'):
        page = secretary2.get(path)
        assert queue_rows(page) == [] and pager_links(page, 'queue-title') == {}
        assert "Aucun contrat signé n'est en attente." in page.text
        assert not any(name in page.text for name, _url, _p in made)
    assert logged_in(portal, 'secretary1').get(made[0][1]).status_int == 200
    assert secretary2.get(made[0][1], status=403)


def test_the_queue_shows_no_row_the_acl_does_not_grant(portal, monkeypatch):
    """Every row of a district's queue is one its secretaries may read, as
    long as the workflow table grants them ``view_contract`` on a signed
    contract; if the table stops granting it, the rows stop showing."""
    from portail.acl import localroles as L
    from portail.acl import matrix
    from portail.workflow.contract import PERMISSIONS_BY_STATE

    made = add_contracts(portal, 'signed', 3, 'Queue')
    monkeypatch.delitem(PERMISSIONS_BY_STATE['signed'], L.SECRETARY)
    monkeypatch.setattr(matrix, '_ACLS', {})  # the ACLs built from the table before
    page = logged_in(portal, 'secretary1').get('/')
    assert queue_rows(page) == []
    names = [name for name, _url, _p in made] + ['PETIT Jules', 'FOURNIER Sylvie']
    assert not any(name in page.text for name in names)


def test_a_page_of_the_queue_opens_only_its_contracts(portal, monkeypatch):
    add_contracts(portal, 'signed', EXTRA, 'Queue')
    opened = []
    original = Dossiers.contract

    def contract(self, ref):
        opened.append(ref)
        return original(self, ref)

    monkeypatch.setattr(Dossiers, 'contract', contract)
    monkeypatch.setattr(Dossiers, 'contracts_in', None)  # the whole state is never read
    secretary = logged_in(portal, 'secretary1')
    opened.clear()
    assert len(queue_rows(secretary.get('/'))) == PAGE_SIZE
    assert len(opened) == PAGE_SIZE


# -- the CLI worklist -------------------------------------------------------------


def test_the_worklist_shows_fifty_rows_newest_share_first(portal):
    made = [p for _name, _url, p in add_contracts(portal, 'shared', PAGE_SIZE + 5, 'Shared')]
    newest_first = made[::-1]
    cli = logged_in(portal, 'cli1')
    first = cli.get('/')
    assert worklist_rows(first) == newest_first[:PAGE_SIZE]
    assert f'CLI : {PAGE_SIZE + 7}, les plus récentes' in first.text  # with the demo's two
    links = pager_links(first, 'cli-title')
    assert list(links) == ['next'] and links['next'].endswith('/?cli_page=2#cli-title')
    second = cli.get(links['next'])
    rows = worklist_rows(second)
    assert rows[:5] == newest_first[PAGE_SIZE:] and len(rows) == 7  # then the demo's two

    district = north(portal)
    page = cli.get(f'/cli/{district}/')
    assert [a.text for a in page.html.select('tbody a')] == newest_first[:PAGE_SIZE]
    caption = ' '.join(page.html.select_one('caption').text.split())
    assert f'{PAGE_SIZE + 7}, les plus récentes d\'abord, page 1 sur 2' in caption
    links = {a['rel'][0]: a['href'] for a in page.html.select('nav.pager a')}
    assert list(links) == ['next'] and links['next'].endswith(f'/cli/{district}/?page=2')
    page = cli.get(links['next'])
    assert [a.text for a in page.html.select('tbody a')][:5] == newest_first[PAGE_SIZE:]
    assert [a['rel'][0] for a in page.html.select('nav.pager a')] == ['prev']
    for raw, number in (('x', 1), ('-1', 1), ('40', 2)):
        text = ' '.join(cli.get(f'/cli/{district}/?page={raw}', status=200).text.split())
        assert f'page {number} sur 2' in text


def test_unshared_and_amended_summaries_leave_the_worklist(portal):
    made = add_contracts(portal, 'shared', PAGE_SIZE + 5, 'Shared')
    worker = logged_in(portal, 'worker1')
    (_n1, unshared, gone1), (_n2, amended, gone2) = made[-1], made[-2]
    run_transition(worker, unshared, 'unshare').follow()
    run_transition(worker, amended, 'amend').follow()
    cli = logged_in(portal, 'cli1')
    home = cli.get('/')
    rows = worklist_rows(home) + worklist_rows(cli.get('/?cli_page=2'))
    assert gone1 not in rows and gone2 not in rows
    assert len(rows) == PAGE_SIZE + 5 and rows[0] == made[-3][2]
    assert f'CLI : {PAGE_SIZE + 5}, les plus récentes' in home.text


def test_another_district_facilitator_sees_nothing_of_the_worklist(portal):
    made = add_contracts(portal, 'shared', PAGE_SIZE + 5, 'Shared')
    add_cli2(portal)
    cli2 = logged_in(portal, 'cli2')
    with portal.root() as root:
        south = root.users.find_login('cli2').district
        own = [s.pseudonym for s in root.cli[south].values()]
    for path in ('/', '/?cli_page=2'):
        assert worklist_rows(cli2.get(path)) == own
    assert cli2.get(f'/cli/{north(portal)}/?page=2', status=403)
    assert logged_in(portal, 'secretary1').get(f'/cli/{north(portal)}/', status=403)
    text = cli2.get('/').text + cli2.get(f'/cli/{south}/').text
    assert not any(pseudonym in text for _name, _url, pseudonym in made)


def test_a_page_of_the_worklist_never_reads_the_whole_folder(portal, monkeypatch):
    add_contracts(portal, 'shared', PAGE_SIZE + 5, 'Shared')
    cli = logged_in(portal, 'cli1')
    for name in ('values', 'items', '__iter__', 'keys'):
        monkeypatch.setattr(CliDistrict, name, None)
    assert len(worklist_rows(cli.get('/'))) == PAGE_SIZE
    assert len(cli.get(f'/cli/{north(portal)}/').html.select('tbody a')) == PAGE_SIZE


def test_a_summary_is_dated_when_it_is_shared(portal):
    with portal.root() as root:
        dossier = find_dossier(root, 'Leroy')  # an entered contract of the demo
        contract = next(iter(dossier.contracts.values()))
        as_referent = ActingAs(portal.registry, root, dossier.referent)
        record_consent(as_referent, contract, 'share_cli', 'given', 'paper')
        portal.clock.advance(hours=2)
        CONTRACT_WORKFLOW.execute(contract, as_referent, 'share', fields=('themes',))
        summary = root.cli[dossier.district][contract.cli_summary]
        assert summary.shared_at == portal.clock.now() == contract.history[-1].at


# -- the indexes ----------------------------------------------------------------


def listing_indexes(root):
    """The ordered indexes as stored, with their counts and the contracts' keys."""
    return {
        'queue': {d: (list(q), len(q)) for d, q in root.dossiers.signed_queue.items()},
        'waiting': {d: (list(q), len(q)) for d, q in root.dossiers.consent_queue.items()},
        'worklist': {d: (list(f.newest), len(f.newest)) for d, f in root.cli.items()},
        'keys': {(d.__name__, c.__name__): c.queue_key for d in root.dossiers.values()
                 for c in d.contracts.values()},
    }


def recounted(root):
    """The same indexes as computed from the objects themselves."""
    queue = {d: [] for d in root.districts}
    waiting = {d: [] for d in root.districts}
    keys = {}
    for dossier in root.dossiers.values():
        for contract in dossier.contracts.values():
            ref = (dossier.__name__, contract.__name__)
            keys[ref] = None
            if contract.state == 'signed':
                key = (time_key(signed_at(contract)), *ref)
                ready = contract.has_consent('processing')
                (queue if ready else waiting)[dossier.district].append(key)
                keys[ref] = (dossier.district, key)
    worklist = {d: sorted((time_key(s.shared_at, newest_first=True), s.__name__)
                          for s in folder.values()) for d, folder in root.cli.items()}
    return {'queue': {d: (sorted(k), len(k)) for d, k in queue.items()},
            'waiting': {d: (sorted(k), len(k)) for d, k in waiting.items()},
            'worklist': {d: (k, len(k)) for d, k in worklist.items()},
            'keys': keys}


def test_an_erased_dossier_leaves_the_queue_and_the_worklist(portal):
    from portail.retention import erase

    made = add_contracts(portal, 'signed', 2, 'Queue') + add_contracts(portal, 'shared', 2, 'S')
    with portal.root() as root:
        before = listing_indexes(root)
        for _name, url, _pseudonym in (made[0], made[2]):
            erase(root, root.dossiers[url.split('/')[2]])
        after = listing_indexes(root)
        assert after == recounted(root)
        district = root.users.find_login('worker1').district
        assert after['queue'][district][1] == before['queue'][district][1] - 1
        assert after['worklist'][district][1] == before['worklist'][district][1] - 1


def test_evolve_step_0005_builds_the_indexes_live_maintenance_keeps(portal):
    made = add_contracts(portal, 'signed', 4, 'Queue') + add_contracts(portal, 'shared', 4, 'S')
    worker = logged_in(portal, 'worker1')
    run_transition(worker, made[-1][1], 'unshare').follow()
    run_transition(worker, made[0][1], 'amend').follow()
    with portal.root() as root:
        live = listing_indexes(root)
        assert live == recounted(root)
        assert sum(n for _k, n in live['queue'].values()) == 2 + 3
        # the database as it was before step 0005
        del root.dossiers.__dict__['signed_queue']
        root.dossiers._p_changed = True
        for folder in root.cli.values():
            del folder.__dict__['newest']
            folder._p_changed = True
        for dossier in root.dossiers.values():
            for contract in dossier.contracts.values():
                contract.__dict__.pop('queue_key', None)
                contract._p_changed = True
        del root._p_jar.root()[DONE_KEY]['0005-create-listing-indexes']
    assert ev.evolve(portal.db, portal.clock.now(), log=lambda m: None) == [
        '0005-create-listing-indexes']
    with portal.root() as root:
        assert listing_indexes(root) == live
    # and the evolved indexes go on being kept
    with portal.root() as root:
        contract = root.dossiers.contract(made[1][1].split('/')[2:5:2])
        CONTRACT_WORKFLOW.execute(contract, ActingAs(portal.registry, root, contract.dossier
                                                     .referent), 'close', comment='')
    with portal.root() as root:
        assert listing_indexes(root) == recounted(root)
