"""The statistics pages (issue 6): who sees which scope, what a page shows,
the secret statistique on the page and in the CSV."""
import csv
import io

import pytest

from portail.demo import create_spread
from portail.statistics.counters import recount
from portail.statistics.snapshot import current_month
from tests.conftest import START, Portal, logged_in

#: the year the statistics pages show first: the year of the portal's clock
#: (START is in November: the year's completed months are published)
YEAR = START.year
#: the first month not published: the month of the portal's clock
UNTIL = current_month(START)


def portal_with_spread():
    """The demo département with the statistics spread (as ``make run`` makes
    it), and ``{district name: district id}``."""
    portal = Portal().initialise()
    with portal.root() as root:
        create_spread(root, portal.registry)
        districts = {d.name: k for k, d in root.districts.items()}
    return portal, districts


@pytest.fixture(scope='module')
def spread():
    return portal_with_spread()


def contracts_of(portal, district, year):
    """The contracts of ``district`` that started in ``year``'s completed months."""
    with portal.root() as root:
        return sum(v for (d, month, dimension, _), v in recount(root).items()
                   if d == district and month.startswith(str(year)) and month < UNTIL
                   and dimension == 'state')


def test_a_facilitator_lands_on_their_district(spread):
    portal, districts = spread
    browser = logged_in(portal, 'cli1')
    assert 'Statistiques' in browser.get('/').text  # in the menu
    page = browser.get('/statistics/').follow()
    assert page.request.path == f'/statistics/{districts["Circonscription Nord"]}/'
    assert f'Statistiques de Circonscription Nord — {YEAR}' in page.text
    for title in ('Contrats par mois de début et par état', 'Contrats par durée',
                  'Contrats par thème'):
        assert title in page.text
    assert 'Contrats par circonscription' not in page.text  # one district: no such table
    # small counts are shown as "< 5" and some others hidden
    cells = [td.text for td in page.html.select('td.num')]
    assert '< 5' in cells and 'masqué' in cells
    # the grand total is the number of contracts of the year in the district
    total = page.html.find(id='stats-months').find_parent('section').select_one('tfoot strong')
    assert total.text == str(contracts_of(portal, districts['Circonscription Nord'], YEAR))


def test_each_chart_is_an_accessible_svg_beside_its_table(spread):
    portal, districts = spread
    page = logged_in(portal, 'manager1').get(f'/statistics/{districts["Circonscription Nord"]}/')
    for figure in page.html.select('figure.chart'):
        svg = figure.find('svg')
        assert svg['role'] == 'img'
        assert figure.find('title').text.strip() and svg['aria-labelledby'] == \
            figure.find('title')['id']
        # every label of the chart is a row or column of the table of its section
        table_text = figure.find_parent('section').find('table').text
        for text in svg.select('text[text-anchor="end"]'):
            assert text.text in table_text
    # a hidden value has no bar: its bar is zero wide
    hidden = [g for g in page.html.select('svg g') if g.select('text')[-1].text in
              ('< 5', 'masqué')]
    assert hidden and all(g.find('rect')['width'] == '0' for g in hidden)


def test_the_csv_holds_what_the_page_shows(spread):
    portal, districts = spread
    browser = logged_in(portal, 'cli1')
    district = districts['Circonscription Nord']
    page = browser.get(f'/statistics/{district}/?year={YEAR}')
    response = browser.get(f'/statistics/{district}/csv?year={YEAR}')
    assert response.content_type == 'text/csv'
    assert 'attachment' in response.headers['Content-Disposition']
    rows = list(csv.reader(io.StringIO(response.body.decode('utf-8-sig')), delimiter=';'))
    assert rows[0] == ['tableau', 'ligne', 'colonne', 'contrats']
    by_key = {(r[0], r[1], r[2]): r[3] for r in rows[1:]}
    assert by_key[('Contrats par mois de début et par état', 'Total', 'Total')] == str(
        contracts_of(portal, district, YEAR))
    assert {'< 5', 'masqué'} <= set(by_key.values())
    shown = sorted(td.text for td in page.html.select('td.num'))
    assert sorted(v for k, v in by_key.items()) == shown


def test_the_dpo_and_the_department_manager_see_the_departement(spread):
    portal, districts = spread
    for login in ('dpo1', 'director1'):
        page = logged_in(portal, login).get(f'/statistics/?year={YEAR}')
        assert f'Statistiques du département — {YEAR}' in page.text
        section = page.html.find(id='stats-districts').find_parent('section')
        assert 'Circonscription Nord' in section.text and 'Circonscription Sud' in section.text
        total = page.html.find(id='stats-months').find_parent('section').select_one(
            'tfoot strong')
        assert total.text == str(sum(contracts_of(portal, d, YEAR) for d in districts.values()))


def test_nobody_reads_a_scope_that_is_not_theirs(spread):
    portal, districts = spread
    north, south = districts['Circonscription Nord'], districts['Circonscription Sud']
    # a district's readers: not another district, not the département
    for login in ('cli1', 'manager1', 'manager2'):
        browser = logged_in(portal, login)
        browser.get(f'/statistics/{south}/', status=403)
        browser.get(f'/statistics/{south}/csv', status=403)
        browser.get('/statistics/csv', status=403)
    # the département's readers: not one district's details
    for login in ('dpo1', 'director1'):
        browser = logged_in(portal, login)
        browser.get(f'/statistics/{north}/', status=403)
        browser.get(f'/statistics/{north}/csv', status=403)
    # nobody else
    for login in ('worker1', 'secretary1', 'beneficiary1', 'admin1'):
        browser = logged_in(portal, login)
        assert 'Statistiques' not in browser.get('/').text
        browser.get('/statistics/', status=403)
        browser.get(f'/statistics/{north}/', status=403)
    assert portal.browser().get('/statistics/').location.endswith('/login')


def test_a_year_that_is_not_in_the_list_gets_a_french_message(spread):
    portal, districts = spread
    browser = logged_in(portal, 'cli1')
    url = f'/statistics/{districts["Circonscription Nord"]}/'
    for bad in ('1999', 'abc', f'{YEAR}<script>'):
        page = browser.get(url, {'year': bad}, status=400)
        assert "Il n'y a pas de statistiques pour l'année" in page.text
        assert '<script>' not in page.text
    page = browser.get(url, {'year': str(YEAR - 1)})
    assert f'— {YEAR - 1}' in page.text and 'pas de statistiques' not in page.text


def test_too_few_contracts_publish_nothing(portal):
    """The plain demo has a handful of contracts in the south: not one figure."""
    with portal.root() as root:
        south = next(k for k, d in root.districts.items() if d.name == 'Circonscription Sud')
        cli = root.users.find_login('cli1')
        cli.district = south
        root.users.reindex(cli)
    page = logged_in(portal, 'cli1').get(f'/statistics/{south}/')
    assert 'trop peu de contrats' in page.text
    assert not page.html.select('td.num') and 'Télécharger en CSV' not in page.text
    body = logged_in(portal, 'cli1').get(f'/statistics/{south}/csv').body
    rows = body.decode('utf-8-sig').splitlines()
    assert rows == ['tableau;ligne;colonne;contrats']


def test_statistics_never_use_notes_or_free_text(spread):
    """Only district, month, state, duration and themes reach the counters."""
    portal, _ = spread
    with portal.root() as root:
        keys = {key[1] for stats in root.statistics.values() for key in stats.counters}
    assert keys == {'state', 'duration', 'theme'}
