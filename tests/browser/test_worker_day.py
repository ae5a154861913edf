"""The social worker's day in a real browser (issue 16): what the person
asks reaches the référent's "À traiter", which leads to where it is done."""


def test_a_request_of_the_person_reaches_the_referents_to_do_list(open_browser, live):
    person = open_browser(phone=True)
    person.login('beneficiary1')
    person.link('Mon dossier', exact=False)
    page = person.link("Demandes d'exercice des droits")
    page.get_by_label('Type de demande').select_option('rectification')
    page.get_by_label('La demande', exact=True).fill('Mon adresse a changé.')
    person.button('Envoyer la demande')

    worker = open_browser()
    page = worker.login('worker1')
    menu = page.get_by_role('navigation').get_by_role('link', name='À traiter (', exact=False)
    assert menu.inner_text() == 'À traiter (2)'  # the demo's signed contract, and this request
    table = page.get_by_role('table', name='Ce qui vous attend, par échéance (2)')
    row = table.locator('tbody tr').filter(has_text='Demande d’exercice des droits à traiter')
    assert 'MARTIN Bernard' in row.inner_text() and 'dans 30 jours' in row.inner_text()
    page = worker.follow(row.get_by_role('link', name='Répondre à la demande — MARTIN Bernard'))
    page.get_by_label('Acceptée (faites la modification dans le dossier)').check()
    page.get_by_label('Réponse au bénéficiaire').fill('Adresse corrigée.')
    worker.button('Enregistrer la réponse')

    page = worker.link('Accueil')
    assert page.get_by_role('navigation').get_by_role(
        'link', name='À traiter (', exact=False).inner_text() == 'À traiter (1)'
    assert 'Demande d’exercice' not in page.locator('#pending').inner_text()

    # a colleague of another district has none of it
    other = open_browser()
    page = other.login('worker3')
    assert 'MARTIN' not in page.locator('#pending').inner_text()
