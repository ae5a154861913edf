"""Identity by bearer token: the feed's API accounts (docs/feed.md).

A request whose ``Authorization`` header says ``Bearer <token>`` is judged
by that token alone: a session cookie it may also carry is ignored, so a
token can never borrow a person's session nor the reverse.  A token of an
active API account (:mod:`portail.feed.tokens`) gives an
:class:`~portail.auth.sessions.Identity` without a session, whose principals
are the account's user principal and the ``api_feed`` role only -- not
``Authenticated`` nor ``portail:active``, which every person's account holds
and which would grant the pages every account may open: the access matrix
grants this role the feed and nothing else.  A missing, unknown or revoked
token, or a disabled account, gives no identity; :func:`refusal` says why,
for the security log.
"""
from pyramid.authorization import Everyone
from pyramid_zodbconn import get_connection

from portail.acl import principals as pr
from portail.acl.roles import API_FEED
from portail.auth.sessions import Identity
from portail.feed.tokens import find_account, is_api_account
from portail.models.root import get_root

_MISSING = object()
_CACHE = '_portail_bearer_identity'
_REFUSAL = 'portail.bearer_refusal'
SCHEME = 'bearer'

#: why a token was refused (the ``reason`` of the security log's line)
MISSING = 'missing'
UNKNOWN = 'unknown'
DISABLED = 'disabled'


def presented(request):
    """Whether the request carries an ``Authorization: Bearer`` header."""
    scheme, _sep, _rest = request.headers.get('Authorization', '').partition(' ')
    return scheme.lower() == SCHEME


def _token(request):
    return request.headers.get('Authorization', '').partition(' ')[2].strip()


def current_identity(request):
    """The identity of the request's bearer token (cached), or ``None``."""
    cached = request.__dict__.get(_CACHE, _MISSING)
    if cached is _MISSING:
        cached = request.__dict__[_CACHE] = _load(request)
    return cached


def _load(request):
    token = _token(request)
    if not token:
        request.environ[_REFUSAL] = MISSING
        return None
    users = get_root(get_connection(request).root()).users
    user = find_account(users, token)
    if user is None:
        request.environ[_REFUSAL] = UNKNOWN
        return None
    if user.disabled or not is_api_account(user):
        request.environ[_REFUSAL] = DISABLED
        return None
    return Identity(uid=user.uid, user=user, session=None, session_key=None,
                    pending_step=None,
                    principals=[Everyone, pr.user(user.uid), pr.role(API_FEED)])


def refusal(request):
    """Why the request's token gave no identity (:data:`MISSING`,
    :data:`UNKNOWN`, :data:`DISABLED`), or ``None``."""
    if not presented(request):
        return MISSING
    current_identity(request)
    return request.environ.get(_REFUSAL)
