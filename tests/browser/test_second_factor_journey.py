"""The second factor in a real browser (issue 18): an administrator's first
login enrols it (the QR code drawn on the server shows under the CSP, the
key read from the page feeds pyotp at the portal's clock), the recovery
codes are shown once, then the next login asks for the code.  Every page
is audited by axe."""
from datetime import timedelta

from tests.conftest import totp_code


def test_an_administrator_enrols_then_logs_in_with_a_code(open_browser, live):
    with live.root() as root:
        admin = root.users.find_login('admin1')
        admin.totp_secret, admin.recovery_hashes = None, ()

    agent = open_browser()
    page = agent.login('admin1')
    assert page.url.endswith('/second-factor')
    qr = page.get_by_role('img', name="QR code à scanner avec l'application d'authentification")
    # the browser drew it: the CSP let the data: URI in
    assert page.evaluate('(img) => img.complete && img.naturalWidth', qr.element_handle()) > 0
    secret = page.locator('#secret').inner_text().replace(' ', '')
    assert len(secret) == 32
    page.get_by_label("Code affiché par l'application").fill(
        totp_code(secret, live.clock.now()))
    page = agent.button('Confirmer')
    codes = page.locator('ol.recovery-codes li').all_inner_texts()
    assert len(codes) == 10
    assert 'Imprimez cette page' in page.locator('main').inner_text()
    page = agent.link("J'ai gardé mes codes : continuer")
    assert page.get_by_role('heading', name='Comptes').is_visible()
    agent.logout()

    # the next login, a minute later: the password, then the app's code
    live.clock.advance(minutes=1)
    page = agent.login('admin1', code=False)
    assert page.url.endswith('/login-code')
    page.get_by_label('Code', exact=True).fill('000000' if totp_code(
        secret, live.clock.now()) != '000000' else '111111')
    page = agent.button('Se connecter')
    assert 'Code erroné' in page.get_by_role('alert').inner_text()
    page.get_by_label('Code', exact=True).fill(
        totp_code(secret, live.clock.now() - timedelta(seconds=30)))
    page = agent.button('Se connecter')
    assert page.get_by_role('heading', name='Comptes').is_visible()
    assert 'Connexion précédente de ce compte' in agent.flash()

    # the owner's page, and an administrator's reset of another account (cancelled)
    page = agent.link('Mon second facteur')
    assert 'Codes de secours restants' in page.locator('main').inner_text()
    with live.root() as root:
        dpo = root.users.find_login('dpo1').uid
    page = agent.goto(f'/users/{dpo}/')
    page = agent.link('Réinitialiser le second facteur')
    assert 'Réinitialiser le second facteur de ce compte ?' in page.locator('h1').inner_text()
    page = agent.link('Annuler')
