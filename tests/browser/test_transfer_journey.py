"""Issue 16 in a real browser: a worker of another district finds Bernard
Martin with the lookup, asks for the transfer instead of creating a
duplicate; his référent accepts it from her home page; the dossier is the
requester's, and the former référent no longer opens it."""
import re

from tests.conftest import find_dossier


def test_a_transfer_from_the_lookup_to_the_new_referent(open_browser, live):
    with live.root() as root:
        dossier = find_dossier(root, 'Martin').__name__

    requester = open_browser()
    requester.login('worker3')
    page = requester.goto('/dossiers/lookup')
    page.get_by_label('Nom', exact=True).fill('Martin')
    page.get_by_label('Prénoms').fill('Bernard')
    page.get_by_label('Date de naissance').fill('1979-03-14')
    page.get_by_label('Motif de la recherche').fill('Nouvelle demande après un déménagement')
    page = requester.button('Rechercher')
    assert 'Créer quand même' in page.content()
    page = requester.button('Demander le transfert — MARTIN Bernard')
    assert 'rue des Lilas' not in page.content()
    page.get_by_label('Motif du transfert (lu par le référent)').fill(
        'La famille vit désormais à Marseille.')
    page = requester.button('Envoyer la demande de transfert')
    assert 'Votre demande de transfert est envoyée' in requester.flash()
    assert 'La famille vit désormais à Marseille.' in page.content()

    # the qualified manager of the district is told too (the référent may be
    # away); a manager who is not a social worker is not
    manager = open_browser()
    page = manager.login('manager2')
    menu = page.get_by_role('navigation').get_by_role('link', name='À traiter (', exact=False)
    assert menu.inner_text() == 'À traiter (1)'
    row = page.locator('#pending tbody tr').filter(has_text='Demande de transfert à traiter')
    assert 'MARTIN Bernard' in row.inner_text()
    page = manager.follow(row.get_by_role('link'))
    assert 'La famille vit désormais à Marseille.' in page.content()
    manager.logout()
    page = manager.login('manager1')
    assert page.locator('#pending').count() == 0 and 'MARTIN' not in page.content()

    referent = open_browser()
    page = referent.login('worker1')
    row = page.locator('#pending tbody tr').filter(has_text='Demande de transfert à traiter')
    page = referent.follow(row.get_by_role('link'))
    page.get_by_label(re.compile('^Accepter')).check()
    page.get_by_label(re.compile('^Je confirme le transfert')).check()
    page = referent.button('Enregistrer la réponse')
    assert 'Le dossier est transféré à Wassila Travailleuse' in referent.flash()

    page = requester.goto('/')
    row = page.locator('#pending tbody tr').filter(
        has_text='Transfert accepté : vous êtes le référent')
    page = requester.follow(row.get_by_role('link'))
    page = requester.link('Ouvrir le dossier')
    assert 'Circonscription Sud' in page.content()
    assert 'rue des Lilas' in page.content()

    page = referent.goto(f'/dossiers/{dossier}/')
    assert page.get_by_role('heading', level=1).inner_text() == 'Accès refusé'
    # the browser reports the 403 answer in its console: that one is expected
    assert len(referent.errors) == 1 and '403 (Forbidden)' in referent.errors[0], referent.errors
    referent.errors.clear()
