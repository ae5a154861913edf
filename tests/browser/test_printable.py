"""The printable contract in the browser: with print media the menus go, the
document stays (contract, notice, boxes to tick, signatures), and Chromium
prints it to a PDF of a few A4 pages (saved with the artifacts)."""
import re

VISIBLE = """(selector) => [...document.querySelectorAll(selector)].filter(
  el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden').length"""


def visible(page, selector):
    return page.evaluate(VISIBLE, selector)


def test_the_worker_prints_the_contract_for_signature(open_browser, artifacts):
    worker = open_browser()
    worker.login('worker1')
    worker.link('DURAND Aïcha')
    worker.follow(worker.page.get_by_role('link', name=re.compile('^Contrat débutant le')))
    page = worker.link('Le contrat à imprimer et à signer sur papier')
    assert visible(page, 'header.site') == 1 and visible(page, '.screen-only') == 1

    page.emulate_media(media='print')
    for hidden in ('header.site', 'footer.site', '.screen-only', '.skip', 'form'):
        assert visible(page, hidden) == 0, hidden
    document = page.locator('.printable').inner_text()
    for text in ("Contrat d'insertion", 'DURAND Aïcha', 'Wanda Travailleuse',
                 "Inscription à un atelier de recherche d'emploi",
                 "Notice d'information : comment vos données sont traitées",
                 'Qui lit quoi', "J'accepte que ce contrat soit saisi",
                 'Je refuse : la CLI ne reçoit rien me concernant.', 'Fait à'):
        assert text in document, text
    assert visible(page, '.tickbox') == 5
    assert visible(page, '.signature-box') == 2
    border = page.evaluate("getComputedStyle(document.querySelector('.tickbox')).borderTopWidth")
    assert border == '2px'
    page.screenshot(path=artifacts / 'contract-print.png', full_page=True)

    pdf = page.pdf(format='A4', print_background=False)
    (artifacts / 'contract-print.pdf').write_bytes(pdf)
    assert pdf.startswith(b'%PDF-')
    pages = len(re.findall(rb'/Type\s*/Page(?!s)', pdf))
    assert 1 <= pages <= 4, pages


def test_the_beneficiary_opens_the_printable_contract_on_a_phone(open_browser, artifacts):
    me = open_browser(phone=True)
    page = me.login('beneficiary1')
    page.screenshot(path=artifacts / 'home-beneficiary1-phone.png')
    card = page.locator('details').filter(has=page.locator('summary', has_text='partagé'))
    card.locator('summary').click()
    me.follow(card.get_by_role('link', name='Ouvrir le contrat'))
    page = me.link('Le contrat à imprimer et à signer sur papier')
    assert 'MARTIN Bernard' in page.locator('.printable').inner_text()
