"""The worker's caseload page in a real browser (issue 16): search by the
beginning of a name, filter by the state of the current contract, sort by
next review, page through 50 rows, open a dossier."""
from datetime import date, timedelta

from tests.test_caseload import add_people


def test_a_worker_searches_filters_sorts_and_opens_a_dossier(open_browser, live):
    today = live.clock.now().date()
    add_people(live, 'worker1', [('Eliot', 'Marc', date(1980, 5, 17))], 'entered',
               today + timedelta(days=40))
    add_people(live, 'worker1', [('Eliot', 'Marc', date(1962, 5, 17))], 'entered',
               today - timedelta(days=5))
    add_people(live, 'worker1', [('Élise', 'Anne', date(1990, 1, 2))], 'draft')
    add_people(live, 'worker1', [(f'Suivi{n:02d}', 'Personne', date(1970, 1, 1))
                                 for n in range(60)])
    worker = open_browser()
    worker.login('worker1')
    page = worker.link('Rechercher dans mes dossiers')
    table = page.get_by_role('table')
    assert 'page 1 sur 2' in table.locator('caption').inner_text()
    page = worker.button('Page suivante')
    assert 'page 2 sur 2' in page.get_by_role('table').locator('caption').inner_text()

    page.get_by_label('Nom', exact=True).fill('éli')
    page = worker.button('Rechercher')
    rows = page.get_by_role('table').locator('tbody tr')
    assert rows.count() == 3  # ELIOT twice (told apart by the birth date) and ÉLISE
    assert '17/05/1962' in rows.nth(0).inner_text() or '17/05/1962' in rows.nth(1).inner_text()

    page.get_by_label('État du contrat en cours').select_option('entered')
    page.get_by_label('Trier par').select_option('review')
    page = worker.button('Rechercher')
    rows = page.get_by_role('table').locator('tbody tr')
    assert rows.count() == 2
    assert '17/05/1962' in rows.nth(0).inner_text()  # the earliest review first
    assert 'en retard' in rows.nth(0).inner_text()
    assert page.get_by_label('Nom', exact=True).input_value() == 'éli'  # the query is kept
    assert 'éli' not in page.url and 'li' not in page.url.split('/')[-1]

    page.get_by_label('Bilan en retard').check()
    page = worker.button('Rechercher')
    rows = page.get_by_role('table').locator('tbody tr')
    assert rows.count() == 1
    page = worker.follow(rows.nth(0).get_by_role('link', name='ELIOT Marc'))
    assert 'ELIOT Marc' in page.get_by_role('heading', level=1).inner_text()
