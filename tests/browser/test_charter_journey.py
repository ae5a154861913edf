"""The confidentiality charter (issue 18) in a browser: a social worker's
first login shows the charter; refusing it logs out with the reason; logging
in again and accepting opens the home page; the administrator publishes a
new version, and the worker's next page is the charter again; the DPO lists
who accepted which version.  Every page is audited by axe."""
import pytest

from tests.browser.server import LiveServer
from tests.conftest import Portal

NEW_TEXT = ('Version révisée de la charte.\n\n'
            'Vous ne consultez que les dossiers utiles à votre mission.')


@pytest.fixture
def live():
    """The demo portal of tests/browser/conftest.py, before any account
    accepted the charter."""
    portal = Portal().initialise(charter_accepted=False)
    server = LiveServer(portal.wsgi)
    portal.url = server.url
    portal.registry.settings['portail.public_url'] = server.url
    yield portal
    server.stop()


def test_refuse_accept_publish_and_list(open_browser, live):
    worker = open_browser()
    page = worker.login('worker1')
    assert page.get_by_role('heading', level=1).inner_text() == 'Charte de confidentialité'
    assert 'secret professionnel' in page.locator('main').inner_text()
    page = worker.button('Je refuse')
    assert 'Vous devez accepter la charte pour utiliser le portail.' in page.content()
    assert page.get_by_role('button', name='Se connecter').is_visible()

    page = worker.login('worker1')
    page = worker.button("J'accepte")
    assert page.url == live.url + '/'
    assert 'vous avez accepté la charte de confidentialité (version 1)' in worker.flash()

    admin = open_browser()
    admin.login('admin1')
    admin.button("J'accepte")
    admin.link('Comptes')
    page = admin.link('Charte de confidentialité : publier une nouvelle version')
    page.get_by_label('Texte de la charte').fill(NEW_TEXT)
    page = admin.button('Relire avant de publier')
    assert "Chaque compte d'agent" in page.locator('main').inner_text()
    page = admin.button('Publier la version 2')
    assert 'La version 2 de la charte est publiée' in admin.flash()
    assert 'Vous ne consultez que les dossiers utiles' in page.locator('main').inner_text()
    admin.button("J'accepte")

    # the worker's very next page is the new version, with no new login
    page = worker.link('Accueil')
    assert page.url == live.url + '/charter'
    assert 'Version 2' in page.locator('main').inner_text()
    page = worker.button("J'accepte")
    assert page.url == live.url + '/'

    dpo = open_browser()
    dpo.login('dpo1')
    dpo.button("J'accepte")
    page = dpo.link('Acceptations de la charte')
    table = page.locator('table').first.inner_text()
    assert 'Wanda Travailleuse' in table and 'Alice Administratrice' in table
    assert 'Comptes qui n\'ont pas accepté la version en vigueur' in page.content()
    page.get_by_label('Version').select_option('1')
    page = dpo.button('Afficher')
    assert 'Acceptations de la version 1 : 2' in page.locator('main').inner_text()
