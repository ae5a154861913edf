"""The person's side on a phone (issue 17), as beneficiary1 does it on a
360 px wide screen: the home page fits in about three screens before its
sections, which open without JavaScript; "who consulted my dossier" in their
words, their own reads hidden; their contact details updated."""
from tests.browser.conftest import behind_the_scenes
from tests.conftest import find_dossier, logged_in
from tests.test_contracts import new_contract

SCREEN = 740  # the phone's viewport height (tests/browser/conftest.py)


def test_home_on_a_phone_then_journal_and_contact_details(open_browser, live):
    with live.root() as root:
        url = f'/dossiers/{find_dossier(root, "Martin").__name__}/'
    with behind_the_scenes(live):
        new_contract(logged_in(live, 'worker1'), url)

    person = open_browser(phone=True)
    page = person.login('beneficiary1')
    todo = page.get_by_role('region', name='À faire')
    assert 'Un contrat attend votre signature' in todo.inner_text()
    height = page.evaluate('document.documentElement.scrollHeight')
    assert height <= 3 * SCREEN, height
    follows = page.get_by_role('region', name='Qui vous accompagne').inner_text()
    assert 'Wanda Travailleuse' in follows and '03 20 00 00 01' in follows
    # a contract's section opens on a tap, no script needed
    section = page.locator('details').filter(has_text='partagé avec la CLI')
    assert not section.get_by_text('Actions convenues').first.is_visible()
    section.locator('summary').click()
    assert section.get_by_text('Actions convenues').first.is_visible()
    assert page.evaluate('document.querySelectorAll("script").length') == 0

    page = person.link('Mon dossier', exact=False)
    page = person.link('Qui a consulté mon dossier')
    rows = page.locator('tbody tr')
    assert rows.filter(has_text='vous').count() >= 1
    page.get_by_label("Masquer ce que j'ai consulté moi-même").check()
    page = person.button('Afficher')
    assert page.locator('tbody tr').filter(has_text='vous').filter(
        has_text='consultation').count() == 0
    assert 'Wanda Travailleuse' in page.locator('tbody').inner_text()

    page = person.link('Retour au dossier')
    page = person.link('Mettre à jour mes coordonnées')
    page.get_by_label('Téléphone').fill('06 12 34 56 78')
    page = person.button('Enregistrer mes coordonnées')
    assert 'Vos coordonnées sont enregistrées' in person.flash()
    assert '06 12 34 56 78' in page.content()

    worker = open_browser()
    page = worker.login('worker1')
    row = page.locator('#pending tbody tr').filter(
        has_text='Coordonnées mises à jour par la personne')
    page = worker.follow(row.get_by_role('link'))
    assert 'La personne a mis à jour ses coordonnées : Téléphone.' in page.content()
