"""The protected tables kept per scope, year, language and snapshot version
(issue 20, :mod:`portail.statistics.cache`): built once per version, never
stale, never another scope's, never below the threshold."""
from datetime import timedelta

import pytest

from portail.demo import create_spread
from portail.statistics import cache, tables
from portail.statistics.snapshot import current_month, refresh
from tests.conftest import START, Portal, find_dossier, logged_in
from tests.test_contracts import new_contract
from tests.test_statistics_pages import portal_with_spread
from tests.test_statistics_snapshot import NEXT_MONTH, published_total

YEAR = START.year


@pytest.fixture(scope='module')
def spread():
    portal, districts = portal_with_spread()
    return portal, districts['Circonscription Nord'], districts['Circonscription Sud']


@pytest.fixture(autouse=True)
def builds(monkeypatch):
    """An empty cache, and the calls of the real table builder, counted by scope and year."""
    cache.KEPT.clear()
    calls = []
    real = tables.build_report

    def spy(linked, scope, year, *args, **kw):
        calls.append((scope, year))
        return real(linked, scope, year, *args, **kw)

    monkeypatch.setattr(tables, 'build_report', spy)
    yield calls
    cache.KEPT.clear()


def tables_html(page):
    """The page's protected tables and charts, as published."""
    return ''.join(str(s) for s in page.html.select('section.stats'))


def total_of(page):
    return page.html.find(id='stats-months').find_parent('section').select_one(
        'tfoot strong').text


def assert_no_small_count(page):
    """Every figure of the page's tables and charts is "< 5", hidden, or at least 5."""
    cells = [td.text for td in page.html.select('td.num')]
    bars = [g.select('text')[-1].text for g in page.html.select('svg g')]
    assert cells and bars
    for text in cells + bars:
        assert text in ('< 5', 'masqué', 'hidden') or int(text) >= 5, text


def test_the_same_page_twice_builds_its_tables_once(spread, builds):
    portal, north, _south = spread
    cli = logged_in(portal, 'cli1')
    first = cli.get(f'/statistics/{north}/')
    assert len(builds) == 1
    second = cli.get(f'/statistics/{north}/')
    assert len(builds) == 1  # kept: not built again
    assert tables_html(second) == tables_html(first)
    # another reader of the same scope, and its CSV, use the same tables
    logged_in(portal, 'manager1').get(f'/statistics/{north}/')
    cli.get(f'/statistics/{north}/csv')
    assert len(builds) == 1
    # the département's page is another scope
    director = logged_in(portal, 'director1')
    director.get('/statistics/')
    director.get('/statistics/')
    assert len(builds) == 2


def test_the_key_separates_scopes_years_and_languages(spread, builds):
    portal, north, _south = spread
    cli = logged_in(portal, 'cli1')
    french = cli.get(f'/statistics/{north}/')
    assert 'Contrats par mois de début et par état' in tables_html(french)
    cli.set_cookie('portail_lang', 'en')
    english = cli.get(f'/statistics/{north}/')
    assert 'Statistics of Circonscription Nord' in english.text
    html = tables_html(english)
    assert 'Contracts by start month and state' in html and 'Contrats' not in html
    assert 'hidden' in html and 'masqué' not in html
    assert total_of(english) == total_of(french)
    # the protected report is the same in both languages: built once
    assert len(builds) == 1
    cli.set_cookie('portail_lang', 'fr')
    assert tables_html(cli.get(f'/statistics/{north}/')) == tables_html(french)
    last_year = cli.get(f'/statistics/{north}/', {'year': str(YEAR - 1)})
    assert f'— {YEAR - 1}' in last_year.text
    assert [year for _scope, year in builds] == [YEAR, YEAR - 1]
    department = logged_in(portal, 'director1').get('/statistics/')
    assert 'Contrats par circonscription' in tables_html(department)
    assert 'Contrats par circonscription' not in tables_html(
        cli.get(f'/statistics/{north}/'))
    assert len(builds) == 3


def test_no_count_below_the_threshold_even_from_the_cache(spread, builds):
    portal, north, _south = spread
    for login, path in (('cli1', f'/statistics/{north}/'), ('director1', '/statistics/')):
        browser = logged_in(portal, login)
        built = browser.get(path)
        kept = browser.get(path)
        assert_no_small_count(built)
        assert_no_small_count(kept)
        assert tables_html(kept) == tables_html(built)
    # the district's page has small counts: shown as such from the cache too
    kept = logged_in(portal, 'cli1').get(f'/statistics/{north}/')
    assert {'< 5', 'masqué'} <= {td.text for td in kept.html.select('td.num')}
    browser.set_cookie('portail_lang', 'en')
    assert_no_small_count(browser.get('/statistics/'))
    assert len(builds) == 2


def test_a_reader_never_gets_another_districts_kept_tables(spread, builds):
    """The permission is checked before the cache is read."""
    portal, north, south = spread
    with portal.root() as root:
        manager = root.users.find_login('manager2')
        manager.district = south
        root.users.reindex(manager)
    try:
        south_page = logged_in(portal, 'manager2').get(f'/statistics/{south}/')
        assert 'Statistiques de Circonscription Sud' in south_page.text
        assert len(builds) == 1
        for login in ('cli1', 'manager1'):
            browser = logged_in(portal, login)
            for path in (f'/statistics/{south}/', f'/statistics/{south}/csv'):
                refused = browser.get(path, status=403)
                assert 'stats-months' not in refused.text
        # and the south's reader does not read the north's kept tables
        logged_in(portal, 'cli1').get(f'/statistics/{north}/')
        logged_in(portal, 'manager2').get(f'/statistics/{north}/', status=403)
        assert len(builds) == 2
    finally:
        with portal.root() as root:
            manager = root.users.find_login('manager2')
            manager.district = north
            root.users.reindex(manager)


def test_a_new_snapshot_has_a_new_version_and_the_next_page_shows_it(builds):
    portal = Portal().initialise()
    with portal.root() as root:
        create_spread(root, portal.registry)
        north = next(k for k, d in root.districts.items() if d.name == 'Circonscription Nord')
    cli = logged_in(portal, 'cli1')
    before = cli.get(f'/statistics/{north}/')
    with portal.root() as root:
        version = root.statistics.snapshot.version
        dossier = f'/dossiers/{find_dossier(root, "Petit").__name__}/'
    assert version is not None and len(builds) == 1
    # a contract of last month: the counters move, the published tables do not
    last_month = START.date().replace(day=1) - timedelta(days=3)
    new_contract(logged_in(portal, 'worker1'), dossier, start_date=last_month, duration=9)
    assert tables_html(cli.get(f'/statistics/{north}/')) == tables_html(before)
    assert len(builds) == 1
    # the next month's snapshot: a new version, the page is built again with the contract
    portal.clock.current = NEXT_MONTH + timedelta(hours=2)
    after = logged_in(portal, 'cli1').get(f'/statistics/{north}/')
    with portal.root() as root:
        assert root.statistics.snapshot.version not in (None, version)
    assert len(builds) == 2
    until = current_month(portal.clock.now())
    assert total_of(after) == str(published_total(portal, north, until))
    assert total_of(after) != total_of(before)


def test_every_refresh_has_its_own_version_and_an_unversioned_snapshot_is_not_kept(
        spread, builds):
    portal, north, _south = spread
    with portal.root() as root:
        versions = {refresh(root.statistics, portal.clock.now()).version for _ in range(3)}
        assert len(versions) == 3 and None not in versions
        # a snapshot taken before versions existed
        root.statistics.snapshot.version = None
    cli = logged_in(portal, 'cli1')
    cli.get(f'/statistics/{north}/')
    cli.get(f'/statistics/{north}/')
    assert len(builds) == 2 and len(cache.KEPT) == 0
    with portal.root() as root:
        refresh(root.statistics, portal.clock.now())


def test_the_cache_keeps_its_most_recently_used_entries():
    kept = cache.BoundedCache(2)
    kept.put('a', 1)
    kept.put('b', 2)
    assert kept.get('a') == 1  # 'b' is now the least recently used
    kept.put('c', 3)
    assert len(kept) == 2 and kept.get('b') is None
    assert kept.get('a') == 1 and kept.get('c') == 3
