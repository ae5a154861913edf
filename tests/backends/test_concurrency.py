"""Concurrent writes on one database, on each backend, with real threads: each
thread is its own browser (a webtest ``TestApp`` with its cookies) on the
same WSGI application, so each request has its own ZODB connection and
transaction, as under waitress.

* many workers moving their own contracts at once: no error reaches anyone,
  conflicts are retried, and afterwards the indexes (the entry queues and CLI
  worklists too) and the statistics counters equal a full recount and every
  transition is journaled exactly once;
* two contracts of one dossier moved at the same instant (their journal chain
  is the same object): a true ConflictError, retried, one entry each;
* two users on the same contract at the same instant: one wins, the other
  gets the 409 page naming who saved.

"At the same instant" is enforced by a barrier in an ``AfterTransition``
subscriber: both requests have done their transition (and their journal
entry) and wait for each other before either commits.
"""
import random
import threading
import time
from datetime import date, timedelta

from pyramid_retry import IBeforeRetry
from ZODB.POSException import ConflictError

from portail.demo import CONTENT, contract_in_state
from portail.journal import outbox
from portail.journal.key import journal_key_of
from portail.journal.model import JOURNAL_DB, ROOT_KEY
from portail.journal.verify import verify
from portail.models import caseload
from portail.statistics import counters
from portail.workflow.engine import AfterTransition
from tests.backends.caseloads import add_caseloads as new_caseloads
from tests.backends.recount import indexes, recount
from tests.conftest import find_dossier, logged_in
from tests.test_caseload import assert_summaries_consistent
from tests.test_contracts import form_posting_to, record_on_paper, run_transition
from tests.test_paging import listing_indexes, recounted

WORKERS = 4
CONTRACTS_PER_WORKER = 5
TIMEOUT = 60
#: the longest pause of a worker between two forms, in seconds.  Without any,
#: four threads writing back to back into the same (district, state) set make
#: a request that removes the set's first key conflict with every other
#: commit (BTrees cannot merge a change of a bucket's first key) and exhaust
#: its retries: a rate of writes no district reaches.
THINK = 0.2


class Retries:
    """Counts the retried attempts of the application (``IBeforeRetry``)."""

    def __init__(self, registry):
        self.registry = registry
        self.errors = []
        #: the exceptions retried, in order
        self.exceptions = []
        registry.registerHandler(self.seen, (IBeforeRetry,))

    def seen(self, event):
        self.errors.append(type(event.exception).__name__)
        self.exceptions.append(event.exception)

    def close(self):
        self.registry.unregisterHandler(self.seen, (IBeforeRetry,))


class SameInstant:
    """Makes the first attempt of ``parties`` transitions wait for each other
    after the transition, before their transactions commit."""

    def __init__(self, registry, parties):
        self.registry = registry
        self.barrier = threading.Barrier(parties, timeout=TIMEOUT)
        registry.registerHandler(self.wait, (AfterTransition,))

    def wait(self, event):
        if event.request.environ.get('retry.attempt', 0) == 0:
            self.barrier.wait()

    def close(self):
        self.registry.unregisterHandler(self.wait, (AfterTransition,))


def run_threads(*targets):
    """Run each callable in its own thread; re-raise the first failure."""
    failures = []

    def guarded(target):
        try:
            target()
        except BaseException as error:  # noqa: BLE001 (reported below)
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), 'a thread is stuck'
    if failures:
        raise failures[0]


def journal_entries(portal, dossier_name):
    with portal.root() as root:
        journal = root._p_jar.get_connection(JOURNAL_DB).root()[ROOT_KEY]
        assert verify(journal, journal_key_of(portal.registry)) is None
        chain = journal.chains.get(dossier_name)
        return [] if chain is None else [e.action for e in chain.values()]


def add_caseloads(portal):
    """``WORKERS`` new workers, half in each district, each référent of
    dossiers with one draft contract; return {login: [contract urls]}."""
    with portal.root() as root:
        return new_caseloads(portal, root, 'Charge', WORKERS, CONTRACTS_PER_WORKER, 'draft')

def test_many_workers_moving_their_contracts_at_once(portal):
    caseloads = add_caseloads(portal)
    start = threading.Barrier(WORKERS, timeout=TIMEOUT)
    statuses = []
    retries = Retries(portal.registry)

    def work(login):
        browser = logged_in(portal, login)  # the logins are concurrent too
        assert f'Charge {login[-1]}' in browser.get('/').text
        start.wait()
        for url in caseloads[login]:
            for step, args in ((run_transition, ('sign_paper',)),
                               (record_on_paper, ('processing', 'given')),
                               (run_transition, ('enter',))):
                time.sleep(random.uniform(0, THINK))
                response = step(browser, url, *args)
                statuses.append(response.status_int)
                assert response.status_int == 303, response.text
            assert 'saisi' in browser.get(url).text

    try:
        run_threads(*(lambda login=login: work(login) for login in caseloads))
    finally:
        retries.close()
    assert len(statuses) == WORKERS * CONTRACTS_PER_WORKER * 3
    assert all(status < 500 for status in statuses)
    print(f'\n{len(statuses)} concurrent writes, {len(retries.errors)} retried: '
          f'{sorted(set(retries.errors))}')
    # conflicts only: write conflicts, and read conflicts, which RelStorage also
    # reports at the vote (relstorage VoteReadConflictError, a ReadConflictError)
    assert all(isinstance(error, ConflictError) for error in retries.exceptions), retries.errors
    with portal.root() as root:
        assert indexes(root.dossiers) == recount(root.dossiers)
        assert counters.snapshot(root) == counters.recount(root)
        assert listing_indexes(root) == recounted(root)
        for urls in caseloads.values():
            for url in urls:
                contract = root.dossiers[url.split('/')[2]].contracts[url.split('/')[4]]
                assert contract.state == 'entered'
                assert [r.transition for r in contract.history] == ['draft', 'sign_paper',
                                                                    'enter']
        queue = [c for login in ('worker1', 'worker3') for c in root.dossiers.contracts_in(
            root.users.find_login(login).district, 'entered')]
        assert len(queue) >= WORKERS * CONTRACTS_PER_WORKER
    for urls in caseloads.values():
        for url in urls:
            actions = journal_entries(portal, url.split('/')[2])
            assert actions.count('transition:sign_paper') == 1
            assert actions.count('transition:enter') == 1


def test_two_contracts_of_one_dossier_at_the_same_instant(portal):
    """The worker and the secretary move two contracts of one dossier at once:
    both journal into the dossier's chain, through the outbox of the main
    database (random keys: the two commits need not conflict, and when they
    do, the retry is applied once), and each transition is journaled exactly
    once."""
    worker = logged_in(portal, 'worker1')
    secretary = logged_in(portal, 'secretary1')
    with portal.root() as root:
        durand = find_dossier(root, 'Durand')
        values = dict(CONTENT, start_date=portal.clock.now().date(),
                      review_date=portal.clock.now().date() + timedelta(days=74))
        signed = contract_in_state(root, portal.registry, durand, values, 'signed')
        draft = next(c for c in durand.contracts.values() if c.state == 'draft')
        base = f'/dossiers/{durand.__name__}/contracts/'
        to_sign, to_enter = base + f'{draft.__name__}/', base + f'{signed.__name__}/'
    record_on_paper(worker, to_enter, 'processing', 'given').follow()
    before = journal_entries(portal, durand.__name__)
    sign_form = form_posting_to(worker.get(to_sign + 'transition?name=sign_paper'),
                                '/transition')
    enter_form = form_posting_to(secretary.get(to_enter + 'transition?name=enter'),
                                 '/transition')
    retries = Retries(portal.registry)
    instant = SameInstant(portal.registry, 2)
    responses = []
    try:
        run_threads(lambda: responses.append(sign_form.submit()),
                    lambda: responses.append(enter_form.submit()))
    finally:
        instant.close()
        retries.close()
    assert [r.status_int for r in responses] == [303, 303]
    assert set(retries.errors) <= {'ConflictError'}
    added = journal_entries(portal, durand.__name__)[len(before):]
    assert sorted(a for a in added if a.startswith('transition:')) == [
        'transition:enter', 'transition:sign_paper']
    with portal.root() as root:
        dossier = root.dossiers[durand.__name__]
        assert dossier.contracts[draft.__name__].state == 'signed'
        assert dossier.contracts[signed.__name__].state == 'entered'
        assert indexes(root.dossiers) == recount(root.dossiers)
        assert counters.snapshot(root) == counters.recount(root)
        assert listing_indexes(root) == recounted(root)


def test_two_users_on_the_same_contract_at_the_same_instant(portal):
    """worker1 and secretary1 enter the same contract at once: one wins, the
    other gets the 409 page naming the winner; one transition, one entry."""
    worker = logged_in(portal, 'worker1')
    secretary = logged_in(portal, 'secretary1')
    names = {'worker1': 'Wanda Travailleuse', 'secretary1': 'Sophie Secrétaire'}
    with portal.root() as root:
        petit = find_dossier(root, 'Petit')
        url = f'/dossiers/{petit.__name__}/contracts/{next(iter(petit.contracts))}/'
    record_on_paper(worker, url, 'processing', 'given').follow()
    before = journal_entries(portal, petit.__name__)
    forms = {'worker1': form_posting_to(worker.get(url + 'transition?name=enter'),
                                        '/transition'),
             'secretary1': form_posting_to(secretary.get(url + 'transition?name=enter'),
                                           '/transition')}
    instant = SameInstant(portal.registry, 2)
    responses = {}
    try:
        run_threads(*(lambda login=login: responses.__setitem__(
            login, forms[login].submit(status='*')) for login in forms))
    finally:
        instant.close()
    statuses = sorted(r.status_int for r in responses.values())
    assert statuses == [303, 409]
    winner = next(login for login, r in responses.items() if r.status_int == 303)
    loser = responses[next(login for login in responses if login != winner)]
    assert 'Modifié entre-temps' in loser.text and names[winner] in loser.text
    with portal.root() as root:
        contract = root.dossiers[petit.__name__].contracts[url.split('/')[4]]
        assert [r.transition for r in contract.history].count('enter') == 1
    added = journal_entries(portal, petit.__name__)[len(before):]
    assert added.count('transition:enter') == 1


def test_two_workers_changing_summaries_of_one_bucket_both_commit(portal):
    """Two transactions each change one summary of the same small trees (one
    bucket): the storage merges them rather than making one retry, because
    summaries can be ordered (BTrees' conflict resolution compares values;
    the tests' MappingStorage resolves no conflict, hence this test here)."""
    with portal.root() as root:
        names = [name for name, _s in caseload.of_referent(
            root.dossiers, root.users.find_login('worker1').uid)][:2]
        assert len(names) == 2
    born = date(1970, 5, 17)
    with portal.root() as first:
        dossier = first.dossiers[names[0]]
        dossier.birth_date = born
        caseload.refresh(first.dossiers, dossier)
        with portal.root() as second:  # committed first
            other = second.dossiers[names[1]]
            other.birth_date = born
            caseload.refresh(second.dossiers, other)
    with portal.root() as root:  # the outer commit did not raise: both kept
        assert [root.dossiers.summaries[name].birth_date for name in names] == [born, born]
        assert_summaries_consistent(portal)


def test_changes_committed_together_share_one_deletion_from_the_outbox(portal):
    """Issue 20: a change's POST made three commits (its own, the journal's
    batch, and the deletion of its moved record from the outbox).  Six workers
    sign at the same instant: their journal batches overlap, and the records
    of overlapping batches leave the outbox in fewer commits of the main
    database than there are changes, while each change is journaled once and
    the outbox is empty once the last response is sent."""
    parties = 6
    with portal.root() as root:
        caseloads = new_caseloads(portal, root, 'Ensemble', parties, 1, 'draft')
    browsers = {login: logged_in(portal, login) for login in caseloads}
    pages = {login: browsers[login].get(urls[0] + 'transition?name=sign_paper')
             for login, urls in caseloads.items()}
    writer = portal.registry.portail_journal_writer
    clears_before, records_before = writer.clears, writer.records
    same_instant = SameInstant(portal.registry, parties)
    statuses = []

    def sign(login):
        statuses.append(form_posting_to(pages[login], '/transition').submit().status_int)

    try:
        run_threads(*(lambda login=login: sign(login) for login in caseloads))
    finally:
        same_instant.close()
    assert statuses == [303] * parties
    assert writer.records - records_before >= parties
    clears = writer.clears - clears_before
    print(f'\n{parties} changes at once: {clears} commits deleted their outbox records')
    assert 1 <= clears < parties
    with portal.root() as root:
        assert not list(outbox.records(outbox.outbox_of(root._p_jar.root())))
    for urls in caseloads.values():
        assert journal_entries(portal, urls[0].split('/')[2]).count('transition:sign_paper') == 1
