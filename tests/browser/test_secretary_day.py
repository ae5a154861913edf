"""The secretary's day in a real browser (issue 16): the entry queue holds
only what can be entered, the contracts waiting for the person's consent
are apart with the référent to ask, the list is filtered by référent, the
entry page shows the text and its fingerprint beside the button, and a
département that switched secretaries' entry off is told so."""
from tests.browser.conftest import behind_the_scenes
from tests.conftest import logged_in
from tests.test_contracts import consent_online
from tests.test_entry_queue import signed_without_consent


def test_the_secretary_enters_what_can_be_entered_and_knows_whom_to_ask(open_browser, live):
    # worker1 recorded a paper signature, but not yet the person's consent
    with behind_the_scenes(live):
        contract = signed_without_consent(live)

    secretary = open_browser()
    page = secretary.login('secretary1')
    ready = page.get_by_role('table', name='Contrats signés prêts à saisir', exact=False)
    waiting = page.get_by_role('table', name='Contrats signés en attente d’un consentement',
                               exact=False)
    assert 'MARTIN Bernard' not in ready.inner_text()
    row = waiting.locator('tbody tr').filter(has_text='MARTIN Bernard')
    assert 'Wanda Travailleuse' in row.inner_text()  # whom to ask
    assert 'PETIT Jules' in ready.inner_text() and 'FOURNIER Sylvie' in ready.inner_text()

    # only William's contracts
    page.get_by_label('Référent', exact=True).select_option(label='William Travailleur')
    page = secretary.button('Filtrer')
    ready = page.get_by_role('table', name='Contrats signés prêts à saisir', exact=False)
    assert 'FOURNIER Sylvie' in ready.inner_text() and 'PETIT Jules' not in ready.inner_text()
    assert 'MARTIN Bernard' not in page.content()

    # the entry page: the text and its fingerprint beside the confirmation
    page = secretary.follow(ready.get_by_role('link', name='FOURNIER Sylvie'))
    page = secretary.link('Saisir le contrat')
    assert 'Empreinte du texte signé' in page.content()
    with live.root() as root:
        sylvie = next(d for d in root.dossiers.values() if d.last_name == 'Fournier')
        fingerprint = next(c.fingerprint for c in sylvie.contracts.values()
                           if c.state == 'signed')
    assert fingerprint in page.content()
    page = secretary.button('Saisir le contrat')
    assert 'Saisir le contrat' in secretary.flash() and 'Action effectuée' in secretary.flash()
    page = secretary.link('Accueil')
    assert 'FOURNIER Sylvie' not in page.locator('section[aria-labelledby="queue-title"]') \
        .inner_text()

    # the person consents online: the contract joins the list that can be entered
    with behind_the_scenes(live):
        consent_online(logged_in(live, 'beneficiary1'), contract, 'processing', 'given')
    page = secretary.goto('/')
    ready = page.get_by_role('table', name='Contrats signés prêts à saisir', exact=False)
    assert 'MARTIN Bernard' in ready.inner_text()
    assert page.get_by_role('table', name='Contrats signés en attente d’un consentement',
                            exact=False).count() == 0

    # the département switches secretaries' entry off: the list says so
    live.registry.settings['portail.secretaries_enter_contracts'] = False
    page = secretary.goto('/')
    assert page.get_by_role('heading', name='Contrats à saisir').count() == 0
    assert page.get_by_role('heading', name='Contrats signés', exact=True).count() == 1
    notice = page.locator('main').inner_text().lower()
    assert 'la saisie par les secrétariats est désactivée' in notice
