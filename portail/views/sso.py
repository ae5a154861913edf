"""Single sign-on of the agents (docs/domain.md, *Sessions*): the login
through the identity provider, its callback and the page after logout.

The flow and its checks are in :mod:`portail.auth.oidc`; here the pages.
Each refusal is a French page (403) naming no account, logged in the
security log as ``login.failure`` with a ``sso-…`` reason; a provider that
does not answer gives a French page (503).  A login that succeeds opens its
session through :func:`portail.auth.opening.open_session` like every other
way in.  The three views are public: whoever comes is not logged in yet;
while no provider is configured they are not found (404).

The login page's button is a link to :data:`~portail.auth.oidc.START_VIEW`,
not a form: the redirect that answers it leaves for the provider, which the
Content-Security-Policy's ``form-action 'self'`` (:mod:`portail.headers`)
would block after a form's submission in some browsers; a link's navigation
is not subject to it.  The start is a GET that only prepares a pending login:
nothing an attacker could make a browser do with it opens a session.
"""
from pyramid.httpexceptions import HTTPFound, HTTPNotFound, HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from webob.cookies import make_cookie

from portail.acl.roles import is_staff
from portail.auth import charter, oidc, sessions, steps
from portail.auth.opening import open_session
from portail.clock import utcnow
from portail.i18n import _
from portail.models.root import PortalRoot
from portail.security_log import LOGIN_FAILURE, LOGIN_SUCCESS, security_event

TEMPLATE = 'portail:templates/sso_message.pt'

REFUSED_TITLE = _('Login refused')
#: what the refusal page says, by reason (the others: :data:`CHECK_FAILED`)
REFUSED_MESSAGES = {
    'unknown-account': _(
        '${provider} confirmed who you are, but no Portail account matches your '
        'identity. Portail creates no account by itself: ask the account administrator '
        'to create yours, with the identifier the provider gives.'),
    'disabled': _('Your Portail account is disabled. Ask the account administrator.'),
    'locked': _(
        'Your Portail account is locked. Ask the account administrator to unlock it.'),
    'beneficiary': _(
        'This login is for the agents of the département. Beneficiaries log in with '
        'their login and password on the login page.'),
    oidc.PROVIDER_ERROR: _('The login was cancelled at ${provider}. You may try again.'),
    oidc.NO_PENDING: _(
        'This login link was already used or does not come from this browser. '
        'Start again from the login page.'),
    oidc.EXPIRED_LOGIN: _(
        'The login took more than ${minutes} minutes. Start again from the login page.'),
}
CHECK_FAILED = _(
    'The answer of ${provider} could not be verified, so the login is refused. '
    'Start again from the login page; if it happens again, tell the account administrator.')

UNAVAILABLE_TITLE = _('Identity provider unavailable')
UNAVAILABLE_MESSAGE = _(
    '${provider} does not answer at the moment, so you cannot log in through it. '
    'Try again in a few minutes.')


def _provider_or_404(request):
    provider = oidc.get_provider(request.registry)
    if provider is None:
        raise HTTPNotFound()
    return provider


def _public(request, name):
    """An address of the portal, from ``portail.public_url`` (never the Host header)."""
    return f"{request.registry.settings['portail.public_url']}/{name}"


def _cookie(request, name, value, max_age=None, path='/'):
    return make_cookie(
        name, value, max_age=max_age, path=path, httponly=True, samesite='lax',
        secure=request.registry.settings['portail.secure_cookies'])


def _hint_path(request):
    return f'{request.script_name}/{oidc.LOGGED_OUT_VIEW}'


def _page(request, status, title, message, provider, **mapping):
    request.response.status_int = status
    mapping.setdefault('provider', oidc.provider_name(request))
    return {'title': title, 'message': _(message, mapping=mapping), 'logout_url': None}


def _unavailable(request, provider):
    request.response.headers['Retry-After'] = '60'
    return _page(request, 503, UNAVAILABLE_TITLE, UNAVAILABLE_MESSAGE, provider)


@view_config(context=PortalRoot, name=oidc.START_VIEW, request_method='GET',
             renderer=TEMPLATE, permission=NO_PERMISSION_REQUIRED)
def sso_start_view(request):
    """Send the browser to the provider, with a new pending login."""
    provider = _provider_or_404(request)
    if sessions.current_identity(request) is not None:
        return HTTPFound(request.resource_url(request.root))
    now = utcnow(request.registry)
    token, pending = oidc.new_pending(oidc.pending_store(request), now)
    try:
        url = provider.authorization_url(_public(request, oidc.CALLBACK_VIEW), pending)
    except oidc.ProviderUnavailable:
        security_event(request, LOGIN_FAILURE, user=None, reason='sso-unavailable')
        return _unavailable(request, provider)
    response = HTTPSeeOther(url)
    response.headers.add('Set-Cookie', _cookie(
        request, oidc.PENDING_COOKIE, token, max_age=oidc.PENDING_MINUTES * 60))
    return response


def _refuse(request, provider, reason, uid=None):
    security_event(request, LOGIN_FAILURE, user=uid, reason=f'sso-{reason}')
    message = REFUSED_MESSAGES.get(reason, CHECK_FAILED)
    return _page(request, 403, REFUSED_TITLE, message, provider, minutes=oidc.PENDING_MINUTES)


def _account(request, provider, result):
    """The account the provider's answer names, or the reason to refuse it."""
    user = request.root.users.find_login(result.account)
    if user is None:
        return None, 'unknown-account'
    if not is_staff(user):
        return user, 'beneficiary'
    if user.disabled:
        return user, 'disabled'
    if user.locked:
        return user, 'locked'
    return user, None


@view_config(context=PortalRoot, name=oidc.CALLBACK_VIEW, request_method='GET',
             renderer=TEMPLATE, permission=NO_PERMISSION_REQUIRED)
def sso_callback_view(request):
    """The provider sends the browser back here with a code (or an error)."""
    provider = _provider_or_404(request)
    # the pending login is used once, whatever happens next
    request.response.headers.add('Set-Cookie', _cookie(request, oidc.PENDING_COOKIE, '', 0))
    now = utcnow(request.registry)
    try:
        error = request.GET.get('error')
        pending = oidc.take_pending(
            oidc.pending_store(request), request.cookies.get(oidc.PENDING_COOKIE),
            request.GET.get('state'), now, check_state=not error)
        if error or not request.GET.get('code'):
            raise oidc.LoginRefused(oidc.PROVIDER_ERROR)
        result = provider.exchange(
            request.registry, _public(request, oidc.CALLBACK_VIEW), pending,
            request.GET['code'])
    except oidc.LoginRefused as refusal:
        return _refuse(request, provider, refusal.reason)
    except oidc.ProviderUnavailable:
        security_event(request, LOGIN_FAILURE, user=None, reason='sso-unavailable')
        return _unavailable(request, provider)
    user, reason = _account(request, provider, result)
    if reason is not None:
        return _refuse(request, provider, reason, uid=user.uid if user is not None else None)
    security_event(request, LOGIN_SUCCESS, user=user.uid, reason='sso')
    user.previous_login = user.last_login
    user.last_login = (now, request.remote_addr or '')
    response = open_session(request, user, method=steps.SSO_LOGIN)
    response.headers.add('Set-Cookie', _cookie(request, oidc.PENDING_COOKIE, '', 0))
    # for the provider's logout only: see portail.auth.oidc, *Logout*
    hours = request.registry.settings['portail.session_max_hours']
    response.headers.add('Set-Cookie', _cookie(
        request, oidc.HINT_COOKIE, result.id_token, max_age=hours * 3600,
        path=_hint_path(request)))
    return response


@view_config(context=PortalRoot, name=oidc.LOGGED_OUT_VIEW, request_method='GET',
             renderer=TEMPLATE, permission=NO_PERMISSION_REQUIRED)
def sso_logged_out_view(request):
    """After the logout of a session opened through the provider: offer the
    provider's own logout."""
    provider = _provider_or_404(request)
    label = oidc.provider_name(request)
    request.response.headers.add('Set-Cookie', _cookie(
        request, oidc.HINT_COOKIE, '', 0, path=_hint_path(request)))
    try:
        url = provider.logout_url(
            _public(request, 'login'), request.cookies.get(oidc.HINT_COOKIE))
        message = _(
            'You are logged out of Portail. You logged in through ${provider}: you may '
            'still be logged in there, on this computer. On a shared computer, log out of '
            '${provider} too.', mapping={'provider': label})
    except oidc.ProviderUnavailable:
        url = None
        message = _(
            'You are logged out of Portail. ${provider} does not answer at the moment: '
            'on a shared computer, close the browser to end your session there.',
            mapping={'provider': label})
    why = charter.REFUSED_MESSAGE if request.GET.get('reason') == charter.REFUSED else None
    return {'title': _('You are logged out'), 'why': why, 'message': message, 'logout_url': url,
            'logout_label': _('Also log out of ${provider}', mapping={'provider': label})}

