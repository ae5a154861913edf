"""Published snapshots (issue 21): the statistics pages show completed months
as they stood when the month's snapshot was taken, so creating, editing or
closing a contract changes no published figure until the next snapshot."""
from datetime import timedelta

import pytest

from portail.demo import create_spread
from portail.statistics.counters import recount
from portail.statistics.snapshot import current_month
from tests.conftest import START, Portal, find_dossier, logged_in
from tests.test_contracts import new_contract, run_transition

#: the first day of the month after START's (midnight UTC is set where needed)
NEXT_MONTH = (START.replace(day=1) + timedelta(days=32)).replace(day=1)


@pytest.fixture
def spread():
    portal = Portal().initialise()
    with portal.root() as root:
        create_spread(root, portal.registry)
        north = next(k for k, d in root.districts.items() if d.name == 'Circonscription Nord')
    return portal, north


def published(portal, north):
    """Every figure of the north's page and of the département's page (CSV)."""
    figures = {}
    for login, path in (('cli1', f'/statistics/{north}/csv'), ('director1', '/statistics/csv')):
        figures[path] = logged_in(portal, login).get(path).body
    return figures


def as_of(page):
    return page.html.select_one('p.as-of strong').text.split()


def published_total(portal, district, until):
    with portal.root() as root:
        year = START.year if until[5:] != '01' else START.year - 1
        return sum(v for (d, month, dimension, _), v in recount(root).items()
                   if d == district and dimension == 'state' and month < until
                   and month.startswith(str(year)))


def test_contracts_created_edited_and_closed_show_only_at_the_next_snapshot(spread):
    portal, north = spread
    cli = logged_in(portal, 'cli1')
    page = cli.get(f'/statistics/{north}/')
    assert 'Chiffres arrêtés au' in page.text
    assert as_of(page)[-1] == START.strftime('%d/%m/%Y')
    # only the completed months are rows: START's month is not there yet
    rows = [th.text for th in page.html.find(id='stats-months').find_parent('section').select(
        'tbody th')]
    assert len(rows) == START.month - 1
    before = published(portal, north)
    with portal.root() as root:
        serial = root.statistics.snapshot._p_serial
    # a worker of the north drafts a contract that started last month, edits it,
    # signs it on paper and closes it: the counters follow, the pages do not
    worker = logged_in(portal, 'worker1')
    with portal.root() as root:
        dossier = f'/dossiers/{find_dossier(root, "Petit").__name__}/'
        counts = recount(root)
    last_month = START.date().replace(day=1) - timedelta(days=3)
    url = new_contract(worker, dossier, start_date=last_month, duration=9,
                       themes=['mobilite']).follow().request.path
    with portal.root() as root:
        assert recount(root) != counts  # the counters moved
    assert published(portal, north) == before
    edit = worker.get(url + 'edit').forms['form']
    edit['duration_months'] = '12'
    edit.submit().follow()
    assert published(portal, north) == before
    run_transition(worker, url, 'sign_paper').follow()
    run_transition(worker, url, 'close').follow()
    assert published(portal, north) == before
    with portal.root() as root:
        # reading the pages wrote no new snapshot
        assert root.statistics.snapshot._p_serial == serial
        assert root.statistics.snapshot.until == current_month(START)
    # the first of the next month: a new snapshot, with the contract and a new month
    portal.clock.current = NEXT_MONTH + timedelta(hours=2)
    after = published(portal, north)
    assert after != before
    page = logged_in(portal, 'cli1').get(f'/statistics/{north}/')
    assert as_of(page)[-1] == portal.clock.now().strftime('%d/%m/%Y')
    until = current_month(portal.clock.now())
    total = page.html.find(id='stats-months').find_parent('section').select_one('tfoot strong')
    assert total.text == str(published_total(portal, north, until))
    with portal.root() as root:
        assert root.statistics.snapshot.until == until
        serial = root.statistics.snapshot._p_serial
    assert published(portal, north) == after
    with portal.root() as root:
        assert root.statistics.snapshot._p_serial == serial


def test_a_snapshot_is_taken_from_the_counters_in_paris_time(spread):
    """The month changes at midnight in Paris (UTC+1 in winter), not in UTC."""
    portal, north = spread
    midnight_utc = NEXT_MONTH.replace(hour=0)
    assert current_month(midnight_utc - timedelta(minutes=90)) == current_month(START)
    portal.clock.current = midnight_utc - timedelta(minutes=30)  # 00:30 in Paris
    logged_in(portal, 'cli1').get(f'/statistics/{north}/')
    with portal.root() as root:
        assert root.statistics.snapshot.until == current_month(NEXT_MONTH)
