"""The feed's cursor under concurrent entries, on each backend (issue 19;
docs/feed.md, "The cursor"): workers enter contracts at once, each in its
own browser (its own ZODB connection and transaction, as under waitress),
while the departmental system polls the feed with its cursor.  The numbers
of the feed log come from a counter without conflict resolution, so
concurrent entries conflict and are retried, and commit in number order:
the union of what was polled is exactly the set of entries, each once, in
increasing numbers -- no cursor ever skipped an item committed late."""
import random
import threading
import time

from portail.feed.log import feed_log_of
from portail.feed.tokens import issue_token
from tests.backends.caseloads import add_caseloads
from tests.backends.test_concurrency import Retries, run_threads
from tests.conftest import logged_in
from tests.test_contracts import run_transition

WORKERS = 3
CONTRACTS_PER_WORKER = 4
#: the longest pause of a worker between two entries, in seconds
THINK = 0.1


def signed_contracts(portal):
    """``WORKERS`` new workers, each référent of dossiers with one signed
    contract (processing consented); return {login: [contract urls]}, the
    API account's token and the feed's last number."""
    with portal.root() as root:
        caseloads = add_caseloads(portal, root, 'Saisie', WORKERS, CONTRACTS_PER_WORKER,
                                  'signed')
        token = issue_token(root.users, 'si', 'SI', portal.clock.now())[1]
        start = feed_log_of(root._p_jar.root()).last
    return caseloads, token, start


def test_concurrent_entries_are_each_polled_once_in_order(portal):
    caseloads, token, start = signed_contracts(portal)
    begin = threading.Barrier(WORKERS + 1, timeout=60)
    done = threading.Event()
    polled = []
    retries = Retries(portal.registry)

    def enter(login):
        browser = logged_in(portal, login)
        begin.wait()
        for url in caseloads[login]:
            time.sleep(random.uniform(0, THINK))
            assert run_transition(browser, url, 'enter').status_int == 303

    def poll():
        browser = portal.browser()
        browser.extra_environ['HTTP_AUTHORIZATION'] = f'Bearer {token}'
        cursor = start
        begin.wait()
        while True:
            finished = done.is_set()  # read before the poll: a last one after the end
            answer = browser.get(f'/feed?after={cursor}&limit=5').json
            polled.append(answer['items'])
            cursor = answer['cursor']
            if finished and not answer['more']:
                return
            time.sleep(0.02)

    poller = threading.Thread(target=poll)
    failures = []
    poller.start()
    try:
        run_threads(*(lambda login=login: enter(login) for login in caseloads))
    except BaseException as error:  # noqa: BLE001 (re-raised once the poller stops)
        failures.append(error)
        begin.abort()
    finally:
        done.set()
        poller.join(60)
        retries.close()
    assert not poller.is_alive()
    if failures:
        raise failures[0]
    items = [item for batch in polled for item in batch]
    numbers = [item['seq'] for item in items]
    print(f'\n{len(items)} items polled in {len(polled)} polls; '
          f'{len(retries.errors)} retried: {sorted(set(retries.errors))}')
    assert numbers == list(range(start + 1, start + 1 + len(numbers)))  # increasing, no gap
    entered = {url.split('/')[4] for urls in caseloads.values() for url in urls}
    assert [item['event'] for item in items] == ['entered'] * len(entered)
    assert sorted(item['contract'] for item in items) == sorted(entered)  # each once
    assert len(polled) > 1
