"""Single sign-on of the agents through OpenID Connect (docs/domain.md,
*Sessions*; README, "Connecting an identity provider").

The département's identity provider (or ProConnect) says who the agent is;
Portail says what the agent may do: roles and districts stay in Portail's
accounts.  The flow is the authorization code flow with PKCE (``S256``),
with authlib's pieces: :class:`authlib.integrations.requests_client.OAuth2Session`
builds the authorization URL and exchanges the code, joserfc (authlib's JOSE
layer) checks the ID token's signature against the provider's keys, and
:class:`authlib.oidc.core.CodeIDToken` checks its claims.

**The pending login.**  Between the redirect to the provider and its
callback no Portail session exists yet.  :func:`begin` stores the state, the
nonce and the PKCE code verifier server-side, in the sessions database
(:data:`PENDING_KEY`, an OOBTree beside the session store), under the
SHA-256 of a random key; the browser holds only that key, in a short-lived
HttpOnly cookie (:data:`PENDING_COOKIE`, SameSite=Lax because the callback is
a cross-site top-level GET, Secure per ``portail.secure_cookies``).  The
callback consumes the pending login once, whatever the outcome, so a
replayed callback finds nothing; it expires after :data:`PENDING_MINUTES`
minutes of the portal's clock.  A callback whose ``state`` differs from the
pending one is refused (a forged or crossed callback).

**The ID token** is checked on: its signature, against the provider's JWKS
(cached for an hour like the discovery document; fetched again at once
when a token names an unknown ``kid``, the provider's key rotation), with
the algorithms the provider announces;
``iss`` (the configured issuer); ``aud`` (the client id); ``exp`` and
``iat`` against the *portal's* clock (:func:`portail.clock.utcnow`, with
:data:`LEEWAY_SECONDS` of leeway); ``nonce`` (the pending login's); and
``at_hash`` when present.  The account is the one whose login equals the
claim named by ``portail.oidc_account_claim`` (normalised like a typed
login); :mod:`portail.views.sso` refuses unknown, disabled and locked
accounts and beneficiaries' accounts: no account is ever created here.

**Logout.**  The provider's logout (its ``end_session_endpoint``) is offered
after Portail's own logout with ``client_id`` and
``post_logout_redirect_uri``, and with ``id_token_hint`` (some providers,
ProConnect among them, require it).  The ID token holds personal data (the
agent's name, e-mail), so it is never stored in the session store: the
callback hands it to the browser in an HttpOnly cookie whose path is the
logged-out page only (:data:`HINT_COOKIE`), which that page reads and
drops.  The session store keeps only the session's ``method`` (``'sso'``).

**The provider's outage**: discovery, keys and token endpoint are called
with a timeout of :data:`TIMEOUT_SECONDS`; an unreachable provider raises
:class:`ProviderUnavailable` (a French 503 page), never a traceback.
"""
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta

import requests
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from BTrees.OOBTree import OOBTree
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    InvalidTokenError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from pyramid_zodbconn import get_connection
from zope.interface import Interface

from portail.auth.sessions import SESSIONS_DB
from portail.auth.steps import SSO_LOGIN
from portail.clock import utcnow
from portail.i18n import _

log = logging.getLogger(__name__)

#: the pending logins, in the root of the sessions database
PENDING_KEY = 'sso_pending'
#: the browser's key to its pending login
PENDING_COOKIE = 'portail_sso'
#: the ID token, for the provider's logout only (path: the logged-out page)
HINT_COOKIE = 'portail_sso_hint'
#: how long a pending login waits for its callback
PENDING_MINUTES = 10
#: the provider's calls give up after this long
TIMEOUT_SECONDS = 5
#: how long the discovery document is kept before it is fetched again
DISCOVERY_MAX_AGE = 3600
#: clock skew tolerated on ``exp`` and ``iat``
LEEWAY_SECONDS = 30

#: the ID token signatures accepted (those the provider announces among
#: these): public-key signatures only, checked against the provider's JWKS
SIGNING_ALGORITHMS = frozenset({
    'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'})

#: the routes (names on the portal root)
START_VIEW = 'sso-login'
CALLBACK_VIEW = 'sso-callback'
LOGGED_OUT_VIEW = 'sso-logged-out'

# why a login through the provider is refused (the security log's reason,
# prefixed with ``sso-``)
NO_PENDING = 'no-pending'
EXPIRED_LOGIN = 'expired-login'
STATE = 'state'
PROVIDER_ERROR = 'provider-error'
TOKEN_REFUSED = 'token-refused'  # noqa: S105 (a reason code)
SIGNATURE = 'signature'
EXPIRED_TOKEN = 'expired-token'  # noqa: S105 (a reason code)
NONCE = 'nonce'
AUDIENCE = 'audience'
ISSUER = 'issuer'
ID_TOKEN = 'id-token'  # noqa: S105 (a reason code)
NO_CLAIM = 'no-claim'


class OIDCConfigurationError(ValueError):
    """The settings of the single sign-on cannot work (start-up refused)."""


class ProviderUnavailable(Exception):
    """The identity provider did not answer (or answered nonsense)."""


class LoginRefused(Exception):
    """The callback does not prove anyone: ``reason`` is one of the codes above."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class IOIDCProvider(Interface):
    """The registry's :class:`Provider` (only when the single sign-on is on)."""


@dataclass
class Pending:
    """What the callback needs from the start of a login (no personal data)."""

    state: str
    nonce: str
    code_verifier: str
    expires: object  # an aware datetime of the portal's clock


@dataclass
class Result:
    """A checked login: the matched claim's value and the raw ID token."""

    account: str
    id_token: str


@dataclass
class Provider:
    """The configured provider, with its discovery document and keys cached."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    account_claim: str
    name: str
    token_auth_method: str = 'client_secret_basic'  # noqa: S105 (a method name)
    _metadata: dict = field(default=None, repr=False)
    _metadata_at: float = 0.0
    _keys: dict = field(default=None, repr=False)
    _keys_at: float = 0.0

    # -- the provider's documents ------------------------------------------

    def _get_json(self, url):
        try:
            response = requests.get(url, timeout=TIMEOUT_SECONDS)
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning('identity provider unavailable: %s', exc)
            raise ProviderUnavailable(str(exc)) from None

    def metadata(self):
        """The discovery document (cached for :data:`DISCOVERY_MAX_AGE` seconds)."""
        if self._metadata is None or time.monotonic() - self._metadata_at > DISCOVERY_MAX_AGE:
            document = self._get_json(self.issuer.rstrip('/') + '/.well-known/openid-configuration')
            if document.get('issuer') != self.issuer or 'authorization_endpoint' not in document:
                # portail.oidc_issuer must be the issuer exactly as the provider names it
                log.warning('identity provider: the discovery document names issuer %r, '
                            'not %r', document.get('issuer'), self.issuer)
                raise ProviderUnavailable('discovery document')
            self._metadata, self._metadata_at = document, time.monotonic()
        return self._metadata

    def key_set(self, force=False):
        """The provider's JWKS (cached like the discovery document; fetched
        again when ``force``)."""
        if (self._keys is None or force
                or time.monotonic() - self._keys_at > DISCOVERY_MAX_AGE):
            self._keys = self._get_json(self.metadata()['jwks_uri'])
            self._keys_at = time.monotonic()
        return KeySet.import_key_set(self._keys)

    def _session(self, redirect_uri, **kw):
        return OAuth2Session(
            self.client_id, self.client_secret, scope=self.scopes, redirect_uri=redirect_uri,
            token_endpoint_auth_method=self.token_auth_method,
            code_challenge_method='S256', **kw)

    # -- the flow ------------------------------------------------------------

    def authorization_url(self, redirect_uri, pending):
        """Where the browser goes to log in at the provider."""
        metadata = self.metadata()
        url, _state = self._session(redirect_uri).create_authorization_url(
            metadata['authorization_endpoint'], state=pending.state, nonce=pending.nonce,
            code_verifier=pending.code_verifier)
        return url

    def exchange(self, registry, redirect_uri, pending, code):
        """Exchange ``code`` and check the ID token; return a :class:`Result`."""
        metadata = self.metadata()
        client = self._session(redirect_uri)
        try:
            token = client.fetch_token(
                metadata['token_endpoint'], grant_type='authorization_code', code=code,
                code_verifier=pending.code_verifier, timeout=TIMEOUT_SECONDS)
        except OAuthError as exc:
            # the provider refused the code: used already, expired, not its own
            log.warning('identity provider refused the code: %s', exc.error)
            raise LoginRefused(TOKEN_REFUSED) from None
        except (requests.RequestException, ValueError) as exc:
            log.warning('identity provider unavailable: %s', exc)
            raise ProviderUnavailable(str(exc)) from None
        finally:
            client.close()
        raw = token.get('id_token')
        if not isinstance(raw, str):
            raise LoginRefused(ID_TOKEN)
        claims = self.check_id_token(registry, raw, pending.nonce, token.get('access_token'))
        value = claims.get(self.account_claim)
        if not isinstance(value, str) or not value.strip():
            raise LoginRefused(NO_CLAIM)
        return Result(value, raw)

    def check_id_token(self, registry, raw, nonce, access_token=None):
        """The claims of the ID token ``raw``, once every check passed."""
        announced = self.metadata().get('id_token_signing_alg_values_supported') or ['RS256']
        algorithms = [a for a in announced if a in SIGNING_ALGORITHMS]
        if not algorithms:
            log.warning('identity provider: no public-key signature among %r', announced)
            raise LoginRefused(ID_TOKEN)
        registry_ = JWSRegistry(algorithms=algorithms, strict_check_header=False)
        try:
            try:
                token = jwt.decode(raw, self.key_set(), registry=registry_)
            except InvalidKeyIdError:
                # a key the cached set does not hold: the provider rotated its keys
                token = jwt.decode(raw, self.key_set(force=True), registry=registry_)
        except (BadSignatureError, InvalidKeyIdError):
            # not signed by the provider: a wrong signature, or a key it does not publish
            raise LoginRefused(SIGNATURE) from None
        except (JoseError, ValueError):
            raise LoginRefused(ID_TOKEN) from None
        claims = CodeIDToken(
            token.claims, token.header,
            options={'iss': {'essential': True, 'value': self.issuer},
                     'aud': {'essential': True, 'value': self.client_id}},
            params={'nonce': nonce, 'client_id': self.client_id,
                    'access_token': access_token})
        now = int(utcnow(registry).timestamp())
        try:
            claims.validate(now=now, leeway=LEEWAY_SECONDS)
        except ExpiredTokenError:
            raise LoginRefused(EXPIRED_TOKEN) from None
        except (InvalidClaimError, MissingClaimError) as exc:
            claim = getattr(exc, 'claim', None)
            reason = {'nonce': NONCE, 'aud': AUDIENCE, 'azp': AUDIENCE,
                      'iss': ISSUER}.get(claim, ID_TOKEN)
            raise LoginRefused(reason) from None
        except (InvalidTokenError, JoseError, ValueError):
            raise LoginRefused(ID_TOKEN) from None
        return claims

    def logout_url(self, post_logout_redirect_uri, id_token_hint=None):
        """The provider's logout (RP-initiated), or ``None`` if it has none."""
        endpoint = self.metadata().get('end_session_endpoint')
        if not endpoint:
            return None
        params = [('client_id', self.client_id),
                  ('post_logout_redirect_uri', post_logout_redirect_uri)]
        if id_token_hint:
            params.insert(0, ('id_token_hint', id_token_hint))
        return add_params_to_uri(endpoint, params)


# -- the pending logins ----------------------------------------------------


def _key_of(token):
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


def pending_store(request):
    """The pending logins, in the sessions database (created when first needed)."""
    root = get_connection(request, SESSIONS_DB).root()
    store = root.get(PENDING_KEY)
    if store is None:
        store = root[PENDING_KEY] = OOBTree()
    return store


def new_pending(store, now, sweep=20):
    """Store a new pending login; return ``(cookie value, Pending)``.

    Up to ``sweep`` expired pending logins are deleted on the way, so that
    abandoned logins do not pile up.
    """
    dead = []
    for key, pending in store.items():
        if pending[3] < now:
            dead.append(key)
        if len(dead) >= sweep:
            break
    for key in dead:
        del store[key]
    token = secrets.token_urlsafe(32)
    pending = Pending(
        state=generate_token(30), nonce=generate_token(30),
        code_verifier=generate_token(64),
        expires=now + timedelta(minutes=PENDING_MINUTES))
    # a plain tuple: no class of this module in the database
    store[_key_of(token)] = (pending.state, pending.nonce, pending.code_verifier,
                             pending.expires)
    return token, pending


def purge_pending(sessions_root, now):
    """Delete the expired pending logins of the sessions database ``sessions_root``
    (maintenance: ``portail-purge-sessions``); return how many."""
    store = sessions_root.get(PENDING_KEY)
    if store is None:
        return 0
    dead = [key for key, record in store.items() if record[3] < now]
    for key in dead:
        del store[key]
    return len(dead)


def take_pending(store, token, state, now, check_state=True):
    """Consume the pending login of cookie ``token`` (once, whatever happens)
    and check ``state`` against it (unless not ``check_state``: an error
    answer, which some providers send without the state, and which opens
    nothing); return its :class:`Pending` or raise :class:`LoginRefused`."""
    if not token:
        raise LoginRefused(NO_PENDING)
    record = store.pop(_key_of(token), None)
    if record is None:
        raise LoginRefused(NO_PENDING)
    pending = Pending(*record)
    if pending.expires < now:
        raise LoginRefused(EXPIRED_LOGIN)
    if check_state or state:
        if not state or not hmac.compare_digest(pending.state.encode(), state.encode()):
            raise LoginRefused(STATE)
    return pending


# -- configuration ---------------------------------------------------------


def read_secret(path):
    """The client secret in the file ``path`` (its first line)."""
    if not path:
        raise OIDCConfigurationError(
            'portail.oidc_issuer is set: portail.oidc_client_secret_file must name the file '
            'that holds the client secret.')
    try:
        with open(path, encoding='utf-8') as fh:
            secret = fh.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise OIDCConfigurationError(
            f'The client secret file {path} (portail.oidc_client_secret_file) cannot be '
            f'read: {exc}') from None
    if not secret:
        raise OIDCConfigurationError(f'The client secret file {path} is empty.')
    return secret


def provider_from_settings(settings):
    """The :class:`Provider` the settings describe, or ``None`` when the
    single sign-on is off (no issuer).  Raises :class:`OIDCConfigurationError`."""
    issuer = settings['portail.oidc_issuer']
    if not issuer:
        if not settings['portail.local_staff_passwords']:
            raise OIDCConfigurationError(
                'portail.local_staff_passwords = false needs an identity provider '
                '(portail.oidc_issuer): no agent could log in.')
        return None
    if not settings['portail.oidc_client_id']:
        raise OIDCConfigurationError('portail.oidc_issuer is set: portail.oidc_client_id too.')
    scopes = settings['portail.oidc_scopes']
    if 'openid' not in scopes.split():
        raise OIDCConfigurationError('portail.oidc_scopes must include openid.')
    return Provider(
        issuer=issuer, client_id=settings['portail.oidc_client_id'],
        client_secret=read_secret(settings['portail.oidc_client_secret_file']),
        scopes=scopes, account_claim=settings['portail.oidc_account_claim'],
        name=settings['portail.oidc_provider_name'],
        token_auth_method=settings['portail.oidc_token_auth_method'])


def get_provider(registry):
    """The configured :class:`Provider`, or ``None`` (single sign-on off)."""
    return registry.queryUtility(IOIDCProvider)


def provider_name(request):
    """The provider's name as the pages show it (``portail.oidc_provider_name``)."""
    provider = get_provider(request.registry)
    name = provider.name if provider is not None else ''
    return name or request.localizer.translate(_('the identity provider'))


def logged_out_location(request, identity, reason=None):
    """Where the logout sends ``identity``: the page offering the provider's
    logout (:data:`LOGGED_OUT_VIEW`) for a session opened through the
    provider, while one is configured; else ``None``.  ``reason`` (the
    refusal of the charter) is passed on for that page to say why."""
    if (identity is not None and identity.session.method == SSO_LOGIN
            and get_provider(request.registry) is not None):
        query = {'reason': reason} if reason else None
        return request.resource_url(request.root, LOGGED_OUT_VIEW, query=query)
    return None


def includeme(config):
    provider = provider_from_settings(config.registry.settings)
    if provider is not None:
        config.registry.registerUtility(provider, IOIDCProvider)
