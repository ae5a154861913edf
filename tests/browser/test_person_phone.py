"""The person's side on a phone (issue 17), as beneficiary1 does it on a
360 px wide screen: the home page fits in about three screens before its
sections, which open without JavaScript; signing and consenting from "À
faire", each consent explained; the contract and the notice in simple
words; the copy; "who consulted my dossier" in their words, their own reads
hidden; their contact details updated.  (The letter download on a phone is
tests/browser/test_letters_journey.py.)  Every page is audited by axe."""
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

    # sign from "À faire", then answer the consent it asks, explained in plain words
    page = person.follow(todo.get_by_role('link', name='Lire et signer'))
    assert "tel qu'il est écrit ci-dessous" in page.content()
    assert 'Le bénéficiaire lit ce texte' not in page.content()
    page.get_by_label("J'ai lu le contrat et je le signe.").check()
    page = person.button('Signer le contrat')
    page = person.link('Accueil')
    todo = page.get_by_role('region', name='À faire')
    assert 'On vous demande votre accord' in todo.inner_text()
    page = person.follow(todo.get_by_role('link', name='Donner ma réponse'))
    page = person.link('Je donne mon consentement : saisie informatique')
    assert "Votre contrat est enregistré dans l'ordinateur du Département." in page.content()
    page = person.button('Confirmer')
    assert 'Votre choix est enregistré.' in person.flash()
    page = person.link('Le contrat en mots simples')
    assert 'Il dure 6 mois.' in page.locator('main').inner_text()
    page = person.link('En mots simples')
    assert "Personne d'autre ne peut lire votre dossier." in page.content()

    page = person.link('Accueil')
    page = person.link('Mon dossier', exact=False)
    page = person.link('Copie de tout ce qui est conservé (imprimer ou télécharger)')
    copy = page.locator('main').inner_text()
    assert 'saisie informatique — donné — en ligne' in copy and 'share_cli' not in copy
    page = person.link('Accueil')
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
