"""Letters in a real browser (issue 17): the référent produces one, the
person downloads it on a phone (360 px wide); every page is audited by axe."""
from pathlib import Path

from tests.test_contracts import dossier_url
from tests.test_letters import pdf_text


def test_the_person_downloads_a_letter_on_a_phone(open_browser, live):
    worker = open_browser()
    worker.login('worker1')
    worker.goto(dossier_url(live, 'Martin'))
    page = worker.link('Tous les courriers')
    page.get_by_label('Type de courrier').select_option('signed_contract')
    page.get_by_label('Remis sur papier').check()
    page = worker.button('Produire le courrier')
    assert 'Le courrier est produit.' in worker.flash()
    assert 'remis sur papier' in page.get_by_role('table').inner_text()

    person = open_browser(phone=True)
    page = person.login('beneficiary1')
    assert page.viewport_size['width'] == 360
    page = person.link('Mon dossier', exact=False)
    section = page.locator('section', has=page.locator('#letters-title'))
    assert 'le contrat signé' in section.inner_text()
    page = person.link('Tous les courriers')
    assert 'Produire un courrier' not in page.content()
    with page.expect_download() as info:
        page.get_by_role('link', name='Télécharger « le contrat signé » (PDF)').click()
    download = info.value
    assert download.suggested_filename.startswith('courrier-signed_contract-')
    text = pdf_text(Path(download.path()).read_bytes())
    assert 'Bernard MARTIN' in text and "Votre contrat d'insertion signé" in text
