"""The social worker's day in a real browser (issue 16): what the person
asks reaches the référent's "À traiter", which leads to where it is done."""
from portail.models.contract import add_months
from tests.browser.conftest import behind_the_scenes
from tests.conftest import find_dossier, logged_in
from tests.test_contracts import (
    CONTRACT_START,
    consent_online,
    dossier_url,
    form_posting_to,
    new_contract,
    run_transition,
)


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
    # the whole list, page by page (the home page shows the 15 most urgent rows)
    page = worker.goto('/pending')
    table = page.get_by_role('table', name='Ce qui vous attend, par échéance', exact=False)
    assert 'page 1 sur 1' in table.locator('caption').inner_text()

    # a colleague of another district has none of it
    other = open_browser()
    page = other.login('worker3')
    assert 'MARTIN' not in page.locator('#pending').inner_text()


def test_an_opinion_and_an_ending_contract_lead_to_their_page_and_leave_the_list(
        open_browser, live):
    """Behind the scenes: worker1 enters and shares a three-month contract,
    cli1 gives its opinion.  In the browser: the référent reads the opinion
    from "À traiter", then, three weeks before the end, renews the contract
    from it; each row leaves the list once done."""
    with behind_the_scenes(live):
        worker = logged_in(live, 'worker1')
        contract = new_contract(worker, dossier_url(live, 'Martin'), duration=3,
                                actions='Atelier JOURNEE-QX').location.replace(
            'http://localhost', '')
        run_transition(worker, contract, 'sign_paper')
        person = logged_in(live, 'beneficiary1')
        consent_online(person, contract, 'processing', 'given')
        run_transition(worker, contract, 'enter')
        consent_online(person, contract, 'share_cli', 'given')
        run_transition(worker, contract, 'share', fields=['themes', 'actions'])
        cli = logged_in(live, 'cli1')
        with live.root() as root:
            district = find_dossier(root, 'Martin').district
        shared = [cli.get(a['href']) for a in cli.get(f'/cli/{district}/').html.select('tbody a')]
        form = form_posting_to(next(p for p in shared if 'JOURNEE-QX' in p.text), '/opinion')
        form['opinion'] = 'favourable'
        form.submit()

    browser = open_browser()
    page = browser.login('worker1')
    row = page.locator('#pending tbody tr').filter(has_text='Nouvel avis de la CLI')
    page = browser.follow(row.get_by_role('link', name='Lire l’avis — MARTIN Bernard'))
    assert 'Favorable' in page.content() or 'favorable' in page.content()
    page = browser.link('Accueil')
    assert 'Nouvel avis de la CLI' not in page.locator('#pending').inner_text()

    end = add_months(CONTRACT_START, 3)
    live.clock.advance(days=(end - live.clock.now().date()).days - 20)
    browser = open_browser()  # weeks later: a new session
    page = browser.login('worker1')
    row = page.locator('#pending tbody tr').filter(has_text='Fin de contrat').filter(
        has_text=f'contrat du {CONTRACT_START:%d/%m/%Y}')
    assert 'dans 20 jours' in row.inner_text()
    page = browser.follow(row.get_by_role('link', name='Renouveler — MARTIN Bernard'))
    assert page.get_by_label('Actions convenues', exact=False).input_value() == 'Atelier JOURNEE-QX'
    assert page.get_by_label('Date de début').input_value() == end.isoformat()
    page.get_by_label("Notice d'information remise au bénéficiaire", exact=False).select_option(
        label='en personne')
    page = browser.button('Créer le brouillon')
    assert 'Le brouillon du contrat est créé' in browser.flash()
    page = browser.link('Accueil')
    assert 'Fin de contrat' not in page.locator('#pending').inner_text()
