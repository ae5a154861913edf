"""A worker logs in through the identity provider (issue 18), in Chromium:
the login page's button, the real provider's page (``oidc-provider-mock``
in its own process, :mod:`tests.oidc_mock`), back on Portail's home page
with her name; then she logs out and is offered the provider's logout,
which brings her back to Portail's login page.

Every Portail page is audited by axe.  The provider's pages are not
Portail's (their loads are left out of the audit); their style sheet, on a
CDN this machine does not reach, is answered empty so that the console
stays clean.
"""
from datetime import UTC, datetime

import pytest

from tests.browser.conftest import DESKTOP, UserAgent
from tests.browser.server import LiveServer
from tests.conftest import Portal
from tests.oidc_mock import MockProvider


@pytest.fixture
def provider():
    provider = MockProvider(token_max_age=300).start()
    provider.add_user('wanda.travailleuse', preferred_username='worker1',
                      name='Wanda Travailleuse')
    yield provider
    provider.stop()


@pytest.fixture
def sso_live(provider, tmp_path):
    """A demo portal served over HTTP, its agents logging in through ``provider``."""
    secret = tmp_path / 'client-secret'
    secret.write_text('a-client-secret\n')
    portal = Portal({
        'portail.oidc_issuer': provider.url, 'portail.oidc_client_id': 'portail',
        'portail.oidc_client_secret_file': str(secret),
        'portail.oidc_provider_name': 'ProConnect'}).initialise()
    # the provider dates its tokens with the real time
    portal.clock.current = datetime.now(UTC).replace(microsecond=0)
    server = LiveServer(portal.wsgi)
    portal.url = server.url
    portal.registry.settings['portail.public_url'] = server.url
    yield portal
    server.stop()


def test_a_worker_logs_in_and_out_through_the_provider(chromium, auditor, sso_live, provider):
    worker = UserAgent(chromium, sso_live.url, auditor, **DESKTOP)
    worker.context.route('https://cdn.jsdelivr.net/**', lambda route: route.fulfill(
        status=200, content_type='text/css', body=''))
    try:
        page = worker.goto('/login')
        # the provider's authorization page (not Portail's: not audited)
        with page.expect_navigation():
            page.get_by_role('link', name='Se connecter avec ProConnect').click()
        assert page.url.startswith(provider.url + '/oauth2/authorize')
        page.get_by_placeholder('sub').fill('wanda.travailleuse')
        with page.expect_navigation(url=sso_live.url + '/'):
            page.get_by_role('button', name='Authorize').click()
        worker.audit()
        assert page.get_by_role('heading', level=1).inner_text() == 'Bonjour Wanda Travailleuse'
        assert 'Bienvenue' in worker.flash()

        page = worker.logout()
        assert page.url == sso_live.url + '/sso-logged-out'
        assert 'Votre session Portail est terminée' in page.locator('main').inner_text()
        # the provider's logout, then back to Portail's login page
        with page.expect_navigation():
            page.get_by_role('link', name='Se déconnecter aussi de ProConnect').click()
        assert page.url.startswith(provider.url + '/oauth2/end_session')
        assert 'id_token_hint' in page.content()
        with page.expect_navigation(url=sso_live.url + '/login'):
            page.get_by_role('button', name='End session').click()
        worker.audit()
        assert page.get_by_role('link', name='Se connecter avec ProConnect').is_visible()
        # Portail's session is over
        page = worker.goto('/')
        assert page.url.startswith(sso_live.url + '/login')
        # the provider's pages are not Portail's: their loads are not audited
        worker.loads = [url for url in worker.loads if not url.startswith(provider.url)]
    finally:
        worker.finish()
