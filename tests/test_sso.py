"""Single sign-on of the agents through OpenID Connect (issue 18), against a
real provider: ``oidc-provider-mock`` in its own process
(:mod:`tests.oidc_mock`), which the portal reaches over HTTP.

The provider dates its tokens with the real time, so each test sets the
portal's clock to the real time before it starts (the portal checks the
ID token's ``exp`` and ``iat`` against its own clock, which the tests then
move).  The provider's tokens last 120 seconds.

The bad signature is a real RS256 signature made with another key than the
provider's, under the provider's ``kid``: :class:`tests.oidc_mock.TamperingProxy`
stands between the portal and the provider and re-signs the ID token of the
token endpoint's answer; publishing that key in the provider's JWKS makes
it the provider's key rotation, which the portal follows.
"""
import socket
import time
from datetime import UTC, datetime

import pytest
import requests

from portail.auth import oidc, sessions
from portail.auth.oidc import OIDCConfigurationError
from portail.demo import DEMO_PASSWORD
from portail.views.auth import ENDED_MESSAGES, SSO_ONLY_MESSAGE
from portail.views.sso import (
    CHECK_FAILED,
    REFUSED_MESSAGES,
    UNAVAILABLE_MESSAGE,
)
from tests.conftest import Portal, logged_in, uid_of
from tests.oidc_mock import MockProvider, TamperingProxy, callback_path, free_port, query_of

CLIENT_ID = 'portail'
PROVIDER_NAME = 'ProConnect'


@pytest.fixture(scope='module')
def provider():
    provider = MockProvider(token_max_age=120).start()
    provider.add_user('sub-wanda', preferred_username='worker1', name='Wanda T.',
                      email='wanda@example.org', groups=['admin'])
    provider.add_user('sub-william', preferred_username='WORKER2 ')
    provider.add_user('sub-bernard', preferred_username='beneficiary1')
    provider.add_user('sub-nobody', preferred_username='nobody')
    provider.add_user('sub-noclaim', name='Sans Identifiant')
    yield provider
    provider.stop()


@pytest.fixture(scope='module')
def secret_file(tmp_path_factory):
    path = tmp_path_factory.mktemp('oidc') / 'client-secret'
    path.write_text('a-client-secret\n')
    path.chmod(0o600)
    return str(path)


def sso_portal(issuer, secret_file, **settings):
    portal = Portal({
        'portail.oidc_issuer': issuer,
        'portail.oidc_client_id': CLIENT_ID,
        'portail.oidc_client_secret_file': secret_file,
        'portail.oidc_provider_name': PROVIDER_NAME,
        **settings}).initialise()
    # the provider dates its tokens with the real time
    portal.clock.current = datetime.now(UTC).replace(microsecond=0)
    return portal


@pytest.fixture
def portal(provider, secret_file):
    return sso_portal(provider.url, secret_file)


def start(browser):
    """Click the login page's button; return where the portal sends the browser."""
    page = browser.get('/login')
    link = page.html.find('a', href='http://localhost/sso-login')
    assert link is not None, 'no SSO button'
    answer = browser.get('/sso-login', status=303)
    return answer.location


def sso_callback(portal, browser, provider, sub):
    """Log ``sub`` in at the provider; return the portal's callback answer."""
    location = start(browser)
    return browser.get(callback_path(provider.authorize(location, sub)), status='*')


def sso_login(portal, provider, sub, browser=None):
    browser = browser or portal.browser()
    answer = sso_callback(portal, browser, provider, sub)
    assert answer.status_int == 303, answer.text
    return browser, answer.follow()


def assert_refused(portal, answer, message, **mapping):
    assert answer.status_int == 403
    mapping.setdefault('provider', PROVIDER_NAME)
    from portail.i18n import _

    assert portal.fr(_(message, mapping=mapping)) in answer.text
    assert 'portail_session' not in answer.headers.get('Set-Cookie', '')


def session_of(portal, login):
    with portal.root() as root:
        key = root.users.find_login(login).session_key
    if key is None:
        return None
    conn = portal.registry._zodb_databases['sessions'].open()
    try:
        return conn.root()['sessions'][key].method
    finally:
        conn.close()


# -- the way in ------------------------------------------------------------

def test_the_login_page_offers_the_provider(portal):
    page = portal.browser().get('/login')
    assert 'Se connecter avec ProConnect' in page.text
    assert 'Agents du département' in page.text


def test_without_an_issuer_there_is_no_sso(secret_file):
    portal = Portal().initialise()
    browser = portal.browser()
    assert 'sso-login' not in browser.get('/login').text
    browser.get('/sso-login', status=404)
    browser.get('/sso-callback?code=x&state=y', status=404)


def test_the_authorization_request_uses_pkce_state_and_nonce(portal, provider):
    browser = portal.browser()
    location = start(browser)
    assert location.startswith(provider.url + '/oauth2/authorize?')
    query = query_of(location)
    assert query['response_type'] == 'code'
    assert query['client_id'] == CLIENT_ID
    assert query['redirect_uri'] == 'http://localhost/sso-callback'
    assert query['scope'] == 'openid profile email'
    assert query['code_challenge_method'] == 'S256'
    assert len(query['code_challenge']) >= 43
    assert len(query['state']) >= 30 and len(query['nonce']) >= 30
    cookie = [c for c in browser.cookiejar if c.name == oidc.PENDING_COOKIE][0]
    assert cookie.has_nonstandard_attr('HttpOnly')
    # the verifier, the state and the nonce stay on the server
    assert query['state'] not in cookie.value and query['nonce'] not in cookie.value


def test_sso_login_opens_the_session_of_the_portail_account(portal, provider, security):
    browser, home = sso_login(portal, provider, 'sub-wanda')
    assert 'Wanda Travailleuse' in home.text
    assert 'Bienvenue' in home.text
    assert session_of(portal, 'worker1') == 'sso'
    uid = uid_of(portal, 'worker1')
    assert security.of('login.success') == [(uid, 'sso')]
    # roles come from Portail: the provider's "groups" claim gives nothing
    browser.get('/users/', status=403)
    # the pending login's cookie is dropped
    assert oidc.PENDING_COOKIE not in {c.name for c in browser.cookiejar if c.value}


def test_the_claim_is_matched_like_a_typed_login(portal, provider):
    _browser, home = sso_login(portal, provider, 'sub-william')
    assert 'William Travailleur' in home.text


def test_the_second_login_says_when_the_previous_one_was(portal, provider):
    logged_in(portal, 'worker1').post_csrf('/logout')
    _browser, home = sso_login(portal, provider, 'sub-wanda')
    assert 'Connexion précédente de ce compte' in home.text


# -- the session rules -----------------------------------------------------

def test_an_sso_login_replaces_a_local_session_and_back(portal, provider, security):
    local = logged_in(portal, 'worker1')
    sso, _home = sso_login(portal, provider, 'sub-wanda')
    page = local.get('/').follow()
    assert portal.fr(ENDED_MESSAGES[sessions.ENDED_REPLACED]) in page.text
    assert (uid_of(portal, 'worker1'), None) in security.of('session.replaced')
    assert sso.get('/').status_int == 200
    logged_in(portal, 'worker1')
    page = sso.get('/').follow()
    assert portal.fr(ENDED_MESSAGES[sessions.ENDED_REPLACED]) in page.text


def test_the_idle_timeout_ends_an_sso_session(portal, provider):
    browser, _home = sso_login(portal, provider, 'sub-wanda')
    portal.clock.advance(minutes=15, seconds=1)
    answer = browser.get('/')
    assert answer.status_int == 302 and 'reason=idle' in answer.location


def test_an_sso_session_skips_the_password_step(portal, provider):
    with portal.root() as root:
        root.users.find_login('worker1').must_change_password = True
    _browser, home = sso_login(portal, provider, 'sub-wanda')
    assert 'Wanda Travailleuse' in home.text


# -- refusals --------------------------------------------------------------

def test_a_wrong_state_is_refused(portal, provider, security):
    browser = portal.browser()
    url = provider.authorize(start(browser), 'sub-wanda')
    forged = url.replace('state=', 'state=x')
    answer = browser.get(callback_path(forged), status=403)
    assert_refused(portal, answer, CHECK_FAILED)
    assert security.of('login.failure') == [(None, 'sso-state')]
    assert session_of(portal, 'worker1') is None
    # the pending login was consumed: the right state no longer works either
    answer = browser.get(callback_path(url), status=403)
    assert_refused(portal, answer, REFUSED_MESSAGES[oidc.NO_PENDING])


def test_a_callback_from_another_browser_is_refused(portal, provider, security):
    url = provider.authorize(start(portal.browser()), 'sub-wanda')
    answer = portal.browser().get(callback_path(url), status=403)
    assert_refused(portal, answer, REFUSED_MESSAGES[oidc.NO_PENDING])
    assert security.of('login.failure') == [(None, 'sso-no-pending')]


def test_a_replayed_code_is_refused(portal, provider, security):
    browser = portal.browser()
    url = provider.authorize(start(browser), 'sub-wanda')
    assert browser.get(callback_path(url)).status_int == 303
    browser.post_csrf('/logout')
    # the same callback again: its pending login is gone
    answer = browser.get(callback_path(url), status=403)
    assert_refused(portal, answer, REFUSED_MESSAGES[oidc.NO_PENDING])
    # the same code with the state of a new pending login: the provider refuses it
    state = query_of(start(browser))['state']
    code = query_of(url)['code']
    answer = browser.get(f'/sso-callback?code={code}&state={state}', status=403)
    assert_refused(portal, answer, CHECK_FAILED)
    assert security.of('login.failure') == [
        (None, 'sso-no-pending'), (None, 'sso-token-refused')]


def test_an_expired_id_token_is_refused(portal, provider, security):
    browser = portal.browser()
    url = provider.authorize(start(browser), 'sub-wanda')
    portal.clock.advance(minutes=3)  # past exp (120 s) and its leeway, within 10 minutes
    answer = browser.get(callback_path(url), status=403)
    assert_refused(portal, answer, CHECK_FAILED)
    assert security.of('login.failure') == [(None, 'sso-expired-token')]


def test_an_expired_pending_login_is_refused(portal, provider, security):
    browser = portal.browser()
    url = provider.authorize(start(browser), 'sub-wanda')
    portal.clock.advance(minutes=11)
    answer = browser.get(callback_path(url), status=403)
    assert_refused(portal, answer, REFUSED_MESSAGES[oidc.EXPIRED_LOGIN],
                   minutes=oidc.PENDING_MINUTES)


def test_an_id_token_for_another_nonce_is_refused(portal, provider, security):
    browser = portal.browser()
    url = provider.authorize(start(browser), 'sub-wanda')
    # the pending login now expects another nonce than the one the provider was given
    conn = portal.registry._zodb_databases['sessions'].open()
    with conn.transaction_manager:
        store = conn.root()[oidc.PENDING_KEY]
        (key, record), = store.items()
        store[key] = (record[0], 'another-nonce', *record[2:])
    conn.close()
    answer = browser.get(callback_path(url), status=403)
    assert_refused(portal, answer, CHECK_FAILED)
    assert security.of('login.failure') == [(None, 'sso-nonce')]


def test_an_id_token_with_a_bad_signature_is_refused(provider, secret_file, security):
    proxy = TamperingProxy(provider.url)
    try:
        portal = sso_portal(proxy.url, secret_file)
        # the provider's real signature passes through the proxy
        _browser, home = sso_login(portal, proxy_provider(proxy), 'sub-wanda')
        assert 'Wanda Travailleuse' in home.text
        proxy.tamper = True
        browser = portal.browser()
        answer = sso_callback(portal, browser, proxy_provider(proxy), 'sub-wanda')
        assert_refused(portal, answer, CHECK_FAILED)
        assert security.of('login.failure') == [(None, 'sso-signature')]
    finally:
        proxy.stop()


def test_a_new_key_of_the_provider_is_fetched_once(provider, secret_file, security):
    """A token naming a key the cached JWKS lacks: the portal fetches the
    JWKS again, once; a key the provider does not publish is refused."""
    proxy = TamperingProxy(provider.url)
    try:
        portal = sso_portal(proxy.url, secret_file)
        through = proxy_provider(proxy)
        sso_login(portal, through, 'sub-wanda')[0].post_csrf('/logout')
        assert proxy.paths.count('/jwks') == 1
        proxy.tamper, proxy.kid = True, 'rotated'
        # a kid the provider does not publish: fetched again once, then refused
        answer = sso_callback(portal, portal.browser(), through, 'sub-wanda')
        assert_refused(portal, answer, CHECK_FAILED)
        assert proxy.paths.count('/jwks') == 2
        assert security.of('login.failure') == [(None, 'sso-signature')]
        # the provider publishes its new key: fetched again, and the login goes through
        proxy.publish = True
        _browser, home = sso_login(portal, through, 'sub-wanda')
        assert 'Wanda Travailleuse' in home.text
        assert proxy.paths.count('/jwks') == 3
    finally:
        proxy.stop()


def proxy_provider(proxy):
    """The provider as the browser reaches it through ``proxy``."""
    through = MockProvider(port=int(proxy.url.rsplit(':', 1)[1]))
    return through


def real_id_token(provider, sub, client_id, nonce):
    """An ID token the provider issues to ``client_id`` for ``sub`` (the flow
    driven with requests alone)."""
    redirect_uri = 'http://localhost/sso-callback'
    location = (f'{provider.url}/oauth2/authorize?response_type=code&client_id={client_id}'
                f'&redirect_uri={redirect_uri}&scope=openid+profile&state=s&nonce={nonce}')
    code = query_of(provider.authorize(location, sub))['code']
    token = requests.post(f'{provider.url}/oauth2/token', data={
        'grant_type': 'authorization_code', 'code': code, 'redirect_uri': redirect_uri,
        'client_id': client_id, 'client_secret': 'x'}, timeout=5)
    token.raise_for_status()
    return token.json()['id_token']


def test_an_id_token_for_another_client_is_refused(portal, provider):
    """A real token of the provider, made for another client (what another
    application could replay at Portail's callback): its audience is wrong."""
    raw = real_id_token(provider, 'sub-wanda', 'another-application', 'n0nce')
    check = oidc.get_provider(portal.registry)
    with pytest.raises(oidc.LoginRefused) as refused:
        check.check_id_token(portal.registry, raw, 'n0nce')
    assert refused.value.reason == oidc.AUDIENCE
    # the same for Portail passes every check, and not with another nonce
    raw = real_id_token(provider, 'sub-wanda', CLIENT_ID, 'n0nce')
    assert check.check_id_token(portal.registry, raw, 'n0nce')['preferred_username'] == 'worker1'
    with pytest.raises(oidc.LoginRefused) as refused:
        check.check_id_token(portal.registry, raw, 'another-nonce')
    assert refused.value.reason == oidc.NONCE


def test_an_unknown_account_is_refused_and_not_created(portal, provider, security):
    with portal.root() as root:
        count = len(list(root.users.by_login))
    answer = sso_callback(portal, portal.browser(), provider, 'sub-nobody')
    assert_refused(portal, answer, REFUSED_MESSAGES['unknown-account'])
    assert 'nobody' not in answer.text
    with portal.root() as root:
        assert len(list(root.users.by_login)) == count
        assert root.users.find_login('nobody') is None
    assert security.of('login.failure') == [(None, 'sso-unknown-account')]


def test_an_answer_without_the_claim_is_refused(portal, provider, security):
    answer = sso_callback(portal, portal.browser(), provider, 'sub-noclaim')
    assert_refused(portal, answer, CHECK_FAILED)
    assert security.of('login.failure') == [(None, 'sso-no-claim')]


def test_a_disabled_account_is_refused(portal, provider, security):
    with portal.root() as root:
        root.users.find_login('worker1').disabled = True
    answer = sso_callback(portal, portal.browser(), provider, 'sub-wanda')
    assert_refused(portal, answer, REFUSED_MESSAGES['disabled'])
    assert security.of('login.failure') == [(uid_of(portal, 'worker1'), 'sso-disabled')]


def test_a_locked_account_is_refused(portal, provider, security):
    with portal.root() as root:
        root.users.set_locked(root.users.find_login('worker1'), True)
    answer = sso_callback(portal, portal.browser(), provider, 'sub-wanda')
    assert_refused(portal, answer, REFUSED_MESSAGES['locked'])


def test_a_beneficiary_cannot_log_in_through_the_provider(portal, provider, security):
    answer = sso_callback(portal, portal.browser(), provider, 'sub-bernard')
    assert_refused(portal, answer, REFUSED_MESSAGES['beneficiary'])
    assert security.of('login.failure') == [
        (uid_of(portal, 'beneficiary1'), 'sso-beneficiary')]
    assert session_of(portal, 'beneficiary1') is None


def test_a_login_cancelled_at_the_provider(portal, provider):
    browser = portal.browser()
    location = start(browser)
    answer = requests.post(location, data={'action': 'deny'}, allow_redirects=False, timeout=5)
    assert 'error=access_denied' in answer.headers['Location']
    answer = browser.get(callback_path(answer.headers['Location']), status=403)
    assert_refused(portal, answer, REFUSED_MESSAGES[oidc.PROVIDER_ERROR])


# -- local passwords -------------------------------------------------------

def test_local_staff_passwords_can_be_switched_off(provider, secret_file, security):
    portal = sso_portal(provider.url, secret_file, **{'portail.local_staff_passwords': 'false'})
    page = portal.browser().login('worker1')
    from portail.i18n import _

    assert portal.fr(_(SSO_ONLY_MESSAGE, mapping={'provider': PROVIDER_NAME})) in page.text
    assert session_of(portal, 'worker1') is None
    assert security.of('login.failure') == [(uid_of(portal, 'worker1'), 'sso-only')]
    # a wrong password says nothing more than usual
    page = portal.browser().login('worker1', 'not-the-password')
    assert 'ProConnect' not in page.text.split('<main')[1].split('</form>')[0]
    # beneficiaries still log in with their password; agents through the provider
    page = portal.browser().login('beneficiary1', DEMO_PASSWORD)
    assert 'Bernard' in page.text
    _browser, home = sso_login(portal, provider, 'sub-wanda')
    assert 'Wanda Travailleuse' in home.text


def test_local_staff_passwords_stay_by_default(portal):
    assert 'Wanda Travailleuse' in logged_in(portal, 'worker1').get('/').text


# -- the provider's outage ------------------------------------------------

def test_a_provider_that_does_not_answer_gives_a_french_page(secret_file, security):
    portal = sso_portal(f'http://127.0.0.1:{free_port()}', secret_file)
    answer = portal.browser().get('/sso-login', status=503)
    assert portal.fr(UNAVAILABLE_MESSAGE).replace('${provider}', PROVIDER_NAME) in answer.text
    assert 'Traceback' not in answer.text
    assert security.of('login.failure') == [(None, 'sso-unavailable')]
    # the password still works
    assert 'Wanda Travailleuse' in portal.browser().login('worker1').text


def test_a_provider_that_hangs_is_given_up_after_a_few_seconds(secret_file):
    """A provider that takes the connection and never answers."""
    with socket.socket() as silent:
        silent.bind(('127.0.0.1', 0))
        silent.listen(8)
        portal = sso_portal(f'http://127.0.0.1:{silent.getsockname()[1]}', secret_file)
        began = time.monotonic()
        answer = portal.browser().get('/sso-login', status=503)
        assert time.monotonic() - began < oidc.TIMEOUT_SECONDS + 3
    assert 'ProConnect ne répond pas pour le moment' in answer.text


def test_a_provider_stopped_during_the_login(secret_file):
    provider = MockProvider(token_max_age=120).start()
    try:
        provider.add_user('sub-wanda', preferred_username='worker1')
        portal = sso_portal(provider.url, secret_file)
        browser = portal.browser()
        url = provider.authorize(start(browser), 'sub-wanda')
    finally:
        provider.stop()
    answer = browser.get(callback_path(url), status=503)
    assert 'ProConnect ne répond pas pour le moment' in answer.text
    assert session_of(portal, 'worker1') is None


# -- logout ----------------------------------------------------------------

def test_logout_of_an_sso_session_offers_the_providers_logout(portal, provider, security):
    browser, _home = sso_login(portal, provider, 'sub-wanda')
    answer = browser.post_csrf('/logout', status=303)
    assert answer.location == 'http://localhost/sso-logged-out'
    page = answer.follow()
    assert 'Votre session Portail est terminée' in page.text
    assert browser.get('/').status_int == 302  # the Portail session is over
    assert session_of(portal, 'worker1') is None
    link = page.html.find('a', string='Se déconnecter aussi de ProConnect')['href']
    assert link.startswith(provider.url + '/oauth2/end_session?')
    query = query_of(link)
    assert query['client_id'] == CLIENT_ID
    assert query['post_logout_redirect_uri'] == 'http://localhost/login'
    assert query['id_token_hint'].count('.') == 2
    # the provider's logout page answers
    assert requests.get(link, timeout=5).status_code == 200
    # the hint is dropped with the page
    assert oidc.HINT_COOKIE not in {c.name for c in browser.cookiejar if c.value}
    assert (uid_of(portal, 'worker1'), None) in security.of('logout')


def test_the_session_store_keeps_no_personal_data(portal, provider):
    sso_login(portal, provider, 'sub-wanda')
    conn = portal.registry._zodb_databases['sessions'].open()
    try:
        root = conn.root()
        held = repr([vars(s) for s in root['sessions'].values()])
        held += repr(list(root.get(oidc.PENDING_KEY, {}).items()))
    finally:
        conn.close()
    for personal in ('Wanda', 'wanda@example.org', 'worker1', 'sub-wanda'):
        assert personal not in held


def test_logout_of_a_local_session_is_unchanged(portal):
    browser = logged_in(portal, 'worker1')
    answer = browser.post_csrf('/logout', status=303)
    assert answer.location == 'http://localhost/login?reason=logout'


# -- settings ---------------------------------------------------------------

def test_an_unreadable_secret_file_stops_the_start_up(provider, tmp_path):
    with pytest.raises(OIDCConfigurationError, match='cannot be read'):
        Portal({'portail.oidc_issuer': provider.url, 'portail.oidc_client_id': CLIENT_ID,
                'portail.oidc_client_secret_file': str(tmp_path / 'missing')})
    with pytest.raises(OIDCConfigurationError, match='oidc_client_secret_file'):
        Portal({'portail.oidc_issuer': provider.url, 'portail.oidc_client_id': CLIENT_ID})


def test_no_local_staff_password_without_a_provider():
    with pytest.raises(OIDCConfigurationError, match='no agent could log in'):
        Portal({'portail.local_staff_passwords': 'false'})


def test_a_wrong_token_auth_method_stops_the_start_up():
    with pytest.raises(ValueError, match='client_secret_basic'):
        Portal({'portail.oidc_token_auth_method': 'private_key_jwt'})


def test_abandoned_pending_logins_are_purged(portal, provider):
    def pending_count():
        conn = portal.registry._zodb_databases['sessions'].open()
        try:
            return len(conn.root()[oidc.PENDING_KEY])
        finally:
            conn.close()

    for _ in range(3):
        start(portal.browser())
    assert pending_count() == 3
    # a new login sweeps the abandoned ones on its way
    portal.clock.advance(minutes=oidc.PENDING_MINUTES, seconds=1)
    start(portal.browser())
    assert pending_count() == 1
    # and so does the maintenance command's purge
    conn = portal.registry._zodb_databases['sessions'].open()
    with conn.transaction_manager:
        root = conn.root()
        assert oidc.purge_pending(root, portal.clock.now()) == 0
        later = portal.clock.now() + oidc.timedelta(minutes=oidc.PENDING_MINUTES, seconds=1)
        assert oidc.purge_pending(root, later) == 1
    conn.close()
    assert pending_count() == 0
