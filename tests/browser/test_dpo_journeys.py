"""The DPO's day in a real browser (issue 16): the unusual-access report,
from a line to the journal it stands for, and who may not open it."""
from tests.conftest import find_dossier


def test_the_dpo_follows_an_unusual_access_to_its_journal(open_browser, live):
    with live.root() as root:
        dossier = find_dossier(root, 'Martin').__name__
    # a qualified manager of the district opens a file of no caseload of hers
    manager = open_browser()
    manager.login('manager2')
    manager.goto(f'/dossiers/{dossier}/')
    # the référent opens it late in the evening (the clock starts at 10:00 in Paris)
    live.clock.advance(hours=13)
    worker = open_browser()
    worker.login('worker1')
    worker.link('MARTIN Bernard')

    dpo = open_browser()
    dpo.login('dpo1')
    page = dpo.link('Accès inhabituels')
    table = page.get_by_role('table', name='Journées inhabituelles')
    rows = table.locator('tbody tr')
    assert rows.count() == 2
    manager_row = rows.filter(has_text='(manager2)')
    assert 'hors de son portefeuille et de ses délégations : 1' in manager_row.inner_text()
    assert 'Consultations de nuit (de 22 h à 6 h) : 1' in rows.filter(
        has_text='(worker1)').inner_text()

    page = dpo.follow(manager_row.get_by_role('button', name=dossier[:8]))
    entries = page.get_by_role('table', name='Entrées du journal')
    assert entries.locator('tbody tr').count() == 1
    assert 'Maud Responsable' in entries.inner_text()

    # the worker's own day, from the report to its journal
    page = dpo.link('Accès inhabituels')
    page = dpo.follow(page.get_by_role('table', name='Journées inhabituelles').locator(
        'tbody tr').filter(has_text='(worker1)').get_by_role('button',
                                                            name='Journal de la journée'))
    assert 'Wanda Travailleuse' in page.get_by_role('table', name='Entrées du journal').inner_text()

    # nobody else opens the report, nor sees it in the menu
    assert 'Accès inhabituels' not in worker.page.locator('nav').inner_text()
    page = worker.goto('/unusual-access')
    assert page.get_by_role('heading', level=1).inner_text() == 'Accès refusé'
    # the browser reports the 403 answer in its console: that one is expected
    assert len(worker.errors) == 1 and '403 (Forbidden)' in worker.errors[0], worker.errors
    worker.errors.clear()
