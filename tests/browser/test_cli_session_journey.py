"""A CLI facilitator prepares and holds a commission session in the browser:
creates it, sets its agenda, gives the opinions on one page, filters the
worklist on the summaries without an opinion, and prints the minutes."""
import re
from datetime import timedelta

from tests.browser.test_printable import visible


def test_a_commission_session_from_agenda_to_minutes(open_browser, live):
    cli = open_browser()
    page = cli.login('cli1')
    region = page.get_by_role('region', name='À examiner en CLI')
    cli.follow(region.get_by_role('link').first)
    cli.link('Retour à la liste des synthèses')
    page = cli.link('Séances de la commission')
    day = (live.clock.now() + timedelta(days=10)).date()
    page.get_by_label('Date de la séance').fill(day.isoformat())
    page = cli.button('Créer la séance')
    assert 'La séance du' in cli.flash()
    assert day.strftime('%d/%m/%Y') in page.locator('h1').inner_text()

    boxes = page.get_by_role('group', name=re.compile('Synthèses partagées')).get_by_role(
        'checkbox')
    assert boxes.count() == 2  # the demo's two shares
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page = cli.button("Mettre à l'ordre du jour")
    assert "Synthèses mises à l'ordre du jour : 2." in cli.flash()
    pseudonyms = page.locator('tbody td:first-child a').all_inner_texts()
    assert len(pseudonyms) == 2

    page = cli.link('Donner les avis de la CLI')
    first = page.get_by_role('group', name=f'Avis de la CLI sur {pseudonyms[0]}')
    first.get_by_label('réservé', exact=True).check()
    page.get_by_role('region', name=f'Synthèse {pseudonyms[0]}').get_by_label(
        'Bref commentaire').fill('Revoir le calendrier en séance')
    page = cli.button('Enregistrer les avis')
    assert 'Avis de la CLI enregistrés : 1.' in cli.flash()
    rows = page.locator('tbody tr')
    assert 'réservé' in rows.filter(has_text=pseudonyms[0]).inner_text()

    # the worklist, "sans avis": only the other one is left
    page = cli.link('Retour aux séances')
    page = cli.link('Retour à la liste des synthèses')
    page = cli.link('Sans avis')
    listed = page.locator('tbody td:first-child a').all_inner_texts()
    assert listed == [pseudonyms[1]]
    # themes, share date; the référent's name only when the référent shared it
    cells = page.locator('tbody tr').first.locator('td').all_inner_texts()
    assert cells[1] and cells[2] == 'nom non communiqué'
    assert re.fullmatch(r'\d\d/\d\d/\d{4} \d\d:\d\d', cells[3]), cells

    page = cli.link('Séances de la commission')
    page = cli.link(day.strftime('%d/%m/%Y'))
    page = cli.link('Procès-verbal à imprimer')
    page.emulate_media(media='print')
    for hidden in ('header.site', 'footer.site', '.screen-only'):
        assert visible(page, hidden) == 0, hidden
    minutes = page.locator('.printable').inner_text()
    for text in ('Procès-verbal de la séance du', 'Revoir le calendrier en séance', *pseudonyms):
        assert text in minutes, text
    assert 'MARTIN' not in minutes
