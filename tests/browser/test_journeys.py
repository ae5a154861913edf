"""The main journeys in a real browser, each person logging in through the
login page (issue 8).  Every page reached is audited (axe-core, reflow at
320 and 640 CSS px) and the console must stay free of errors (CSP included):
see ``conftest.UserAgent`` and ``audit.py``."""
import json
from datetime import timedelta

from tests.conftest import START

ACTIONS = 'Atelier CV au centre social de Wazemmes, deux matinées par mois.'
CLI_HOLDS = 'La CLI détient exactement les éléments suivants'
OPINION = 'Projet cohérent, à revoir au bilan.'
#: the contract of the first journey starts two weeks after the clock's start
#: (16/11 on the unshifted clock), with its review three months later
CONTRACT_START = START.date() + timedelta(days=14)
REVIEW = CONTRACT_START + timedelta(days=92)
SHOWN_START = CONTRACT_START.strftime('%d/%m/%Y')


def open_contract_of_home(page, start):
    """The beneficiary's home lists their contracts by start date, each in a
    section the person opens."""
    section = page.locator('details').filter(
        has=page.locator('summary', has_text=f'Contrat du {start}'))
    section.locator('summary').click()
    return section.get_by_role('link', name='Ouvrir le contrat')


def test_a_contract_from_draft_to_the_opinion_of_the_cli(open_browser, live):
    # the worker drafts a contract with Bernard Martin, on a desktop
    worker = open_browser()
    worker.login('worker1')
    worker.link('MARTIN Bernard')
    page = worker.link('Nouveau contrat')
    page.get_by_label('Date de début').fill(CONTRACT_START.isoformat())
    page.get_by_label('Durée (mois)').select_option('6')
    page.get_by_label('formation', exact=True).check()
    page.get_by_label('logement', exact=True).check()
    page.get_by_label('Actions convenues').fill(ACTIONS)
    page.get_by_label('Engagements du service').fill('Un rendez-vous par mois.')
    page.get_by_label('Date du prochain bilan').fill(REVIEW.isoformat())
    page.get_by_label("Notice d'information remise au bénéficiaire").select_option('in_person')
    page = worker.button('Créer le brouillon')
    assert 'Le brouillon du contrat est créé.' in worker.flash()
    assert 'brouillon' in page.locator('.state').inner_text()
    contract_url = page.url
    # the paper form of the same contract
    page = worker.link('Le contrat à imprimer et à signer sur papier')
    assert ACTIONS in page.locator('.printable').inner_text()
    worker.logout()

    # the beneficiary signs and consents online, on a phone
    me = open_browser(phone=True)
    page = me.login('beneficiary1')
    page = me.follow(open_contract_of_home(page, SHOWN_START))
    assert page.url == contract_url
    page = me.link('Signer le contrat')
    assert ACTIONS in page.locator('main').inner_text()
    page.get_by_label("J'ai lu le contrat et je le signe.").check()
    page = me.button('Signer le contrat')
    assert 'signé' in page.locator('.state').inner_text()
    for what in ('saisie informatique', 'partage avec la CLI'):
        me.link(f'Je donne mon consentement : {what}')
        page = me.button('Confirmer')
        assert 'Votre choix est enregistré.' in me.flash()
    consents = page.get_by_role('table', name='Consentements enregistrés').inner_text()
    assert 'saisie informatique' in consents and 'partage avec la CLI' in consents
    me.logout()

    # the secretary of the district enters it from her queue
    secretary = open_browser()
    page = secretary.login('secretary1')
    queue = page.get_by_role('table', name='Contrats signés prêts à saisir', exact=False)
    secretary.follow(queue.get_by_role('link', name='MARTIN Bernard'))
    assert secretary.page.url == contract_url
    secretary.link('Saisir le contrat')
    page = secretary.button('Saisir le contrat')
    assert 'saisi' in page.locator('.state').inner_text()
    secretary.logout()

    # the worker shares it with the CLI, choosing the fields
    worker = open_browser()
    worker.login('worker1')
    worker.goto(contract_url.removeprefix(live.url))
    page = worker.link('Partager avec la CLI')
    share = page.get_by_role('group', name='Champs à partager avec la CLI')
    share.get_by_label('Thèmes').check()
    share.get_by_label('Actions convenues').check()
    page = worker.button('Partager avec la CLI')
    assert 'partagé avec la CLI' in page.locator('.state').inner_text()
    shared = page.locator('.card', has_text=CLI_HOLDS).inner_text()
    assert ACTIONS in shared and 'MARTIN' not in shared
    worker.logout()

    # the CLI facilitator finds the summary (a pseudonym, no name) and gives an opinion
    cli = open_browser()
    page = cli.login('cli1')
    pseudonyms = page.get_by_role('region', name='À examiner en CLI').get_by_role('link')
    for name in pseudonyms.all_inner_texts():
        page = cli.link(name)
        if ACTIONS in page.locator('main').inner_text():
            break
        cli.link('Retour à la liste des synthèses')
    else:
        raise AssertionError('the shared contract is not in the CLI worklist')
    assert 'MARTIN' not in page.content() and 'Bernard' not in page.content()
    page.get_by_label('favorable', exact=True).check()
    page.get_by_label('Bref commentaire').fill(OPINION)
    cli.button("Enregistrer l'avis")
    assert "L'avis de la CLI est enregistré." in cli.flash()
    cli.logout()

    # the beneficiary reads the opinion on their contract
    me = open_browser(phone=True)
    page = me.login('beneficiary1')
    page = me.follow(open_contract_of_home(page, SHOWN_START))
    opinion = page.locator('.card', has_text='Avis de la CLI').inner_text()
    assert 'favorable' in opinion and OPINION in opinion


def test_the_beneficiary_withdraws_consent_and_downloads_their_data(open_browser, artifacts):
    me = open_browser(phone=True)
    page = me.login('beneficiary1')
    card = page.locator('details', has_text='partagé avec la CLI')
    card.locator('summary').click()
    me.follow(card.get_by_role('link', name='Ouvrir le contrat'))
    page = me.link('Retirer mon consentement : partage avec la CLI')
    assert 'la copie détenue par la CLI est supprimée' in page.locator('main').inner_text()
    page = me.button('Confirmer')
    assert 'Votre choix est enregistré.' in me.flash()
    assert 'saisi' in page.locator('.state').inner_text()
    assert page.locator('.card', has_text=CLI_HOLDS).count() == 0

    # everything held on them, as a page and as a file
    me.link('Accueil')
    me.link("Mon dossier : mes données, mes demandes, qui l'a consulté, une copie de tout")
    page = me.link('Copie de tout ce qui est conservé (imprimer ou télécharger)')
    assert 'Martin' in page.locator('main').inner_text()
    with page.expect_download() as download:
        page.get_by_role('link', name='Télécharger la même copie sous forme de fichier (JSON)'
                         ).click()
    path = artifacts / 'export-beneficiary1.json'
    download.value.save_as(path)
    data = json.loads(path.read_text(encoding='utf-8'))
    assert data['identity']['last_name'] == 'Martin'
    withdrawn = [c for contract in data['contracts'] for c in contract['consents']
                 if c['kind'] == 'share_cli' and c['decision'] == 'withdrawn']
    assert len(withdrawn) == 1


def test_the_admin_keeps_how_the_people_reach_a_district(open_browser):
    """Issue 17: the address and phone of a district's service, kept by the
    account administrators, read by the people it follows on their home."""
    admin = open_browser()
    admin.login('admin1')
    page = admin.link('Circonscriptions : comment les joindre')
    page = admin.link('Modifier les coordonnées de Circonscription Nord')
    page.get_by_label('Téléphone du service').fill('03 20 12 34 56')
    page = admin.button('Enregistrer')
    assert 'La circonscription est enregistrée.' in admin.flash()
    assert '03 20 12 34 56' in page.get_by_role('table').inner_text()

    person = open_browser(phone=True)
    page = person.login('beneficiary1')
    assert '03 20 12 34 56' in page.get_by_role('region', name='Qui vous accompagne').inner_text()


def test_the_admin_unlocks_a_locked_account(open_browser):
    colleague = open_browser()
    for _attempt in range(3):
        page = colleague.login('worker2', 'not-the-password-1')
    assert 'verrouillé' in page.get_by_role('alert').inner_text()
    page = colleague.login('worker2')  # even the right password is refused now
    assert 'verrouillé' in page.get_by_role('alert').inner_text()

    admin = open_browser()
    admin.login('admin1')
    page = admin.link('Afficher uniquement les comptes verrouillés')
    locked = page.get_by_role('table', name='Comptes verrouillés')
    admin.follow(locked.get_by_role('link', name='worker2'))
    admin.button('Déverrouiller le compte')
    assert 'Le compte est déverrouillé.' in admin.flash()
    admin.link('Tous les comptes')
    page = admin.link('Afficher uniquement les comptes verrouillés')
    assert 'Aucun compte n\'est verrouillé.' in page.locator('main').inner_text()

    page = colleague.login('worker2')
    assert page.get_by_role('heading', level=1).inner_text() == 'Bonjour William Travailleur'

    # the DPO reads it in the administration journal (issue 13)
    dpo = open_browser()
    dpo.login('dpo1')
    page = dpo.link("Journal d'administration")
    entries = page.get_by_role('table', name="Entrées d'administration (1)")
    assert 'compte déverrouillé' in entries.inner_text()
    assert 'William Travailleur (worker2)' in entries.inner_text()


def test_an_idle_session_sends_the_user_back_to_login(open_browser, live):
    worker = open_browser()
    worker.login('worker1')
    live.clock.advance(minutes=16)
    page = worker.link('MARTIN Bernard')
    assert page.get_by_role('heading', level=1).inner_text() == 'Connexion au portail'
    assert ('Votre session a été fermée après 15 minutes sans activité'
            in page.locator('main').inner_text())
    assert 'MARTIN' not in page.content()
    page = worker.login('worker1')
    assert page.get_by_role('heading', level=1).inner_text() == 'Bonjour Wanda Travailleuse'
