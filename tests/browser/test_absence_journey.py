"""A social worker's absence in a real browser (issue 16): all the dossiers
to a colleague in one action, found in the colleague's caseload and to-do."""
from datetime import timedelta


def test_a_worker_entrusts_all_dossiers_before_an_absence(open_browser, live):
    worker = open_browser()
    worker.login('worker1')
    page = worker.link('Absence : confier mes dossiers à un collègue')
    page.get_by_label('Travailleur social', exact=False).select_option(label='William Travailleur')
    until = live.clock.now().date() + timedelta(days=14)
    page.get_by_label('Date de fin (incluse)').fill(until.isoformat())
    worker.button('Confier mes dossiers')
    assert f'Vos dossiers sont confiés à William Travailleur jusqu’au {until:%d/%m/%Y}' \
        in worker.flash()

    colleague = open_browser()
    page = colleague.login('worker2')
    assert 'Absence de Wanda Travailleuse' in page.locator('#pending').inner_text()
    page = colleague.link('MARTIN Bernard')
    assert page.get_by_role('heading', level=1).inner_text().startswith('MARTIN Bernard')
