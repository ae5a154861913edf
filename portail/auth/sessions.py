"""Server-side session lifecycle (docs/domain.md, *Sessions*).

The browser holds only a random token in an HttpOnly, SameSite cookie; the
store keeps the session under the SHA-256 of that token, so a copy of the
session database gives no usable session.  Rules enforced on every request
by :func:`current_identity`:

- idle timeout and absolute timeout (settings, injectable clock);
- one session per user: a new login marks the previous session ``replaced``
  and its next request is told why;
- a disabled account, a logout or a deleted account ends the session;
- the session id changes at login and whenever the account's privileges
  change (roles, district, password): the token is rotated, and the new
  cookie is sent only once the rotation is committed.

The security log (:mod:`portail.security_log`) gets ``session.replaced``
when a login ends the account's open session, and ``session.expired`` when
a request comes with a session past its idle or absolute limit, or with a
token the store does not know (``reason`` says which).
"""
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from BTrees.OOBTree import OOBTree
from pyramid_zodbconn import get_connection
from webob.cookies import make_cookie

from portail.acl.principals import user_principals
from portail.auth import steps
from portail.clock import utcnow
from portail.models.root import get_root
from portail.models.session import STORE_KEY, PortalSession
from portail.security_log import SESSION_EXPIRED, SESSION_REPLACED, security_event

COOKIE_NAME = 'portail_session'
SESSIONS_DB = 'sessions'

#: why a session ended, as shown on the login page (see views/auth.py)
ENDED_IDLE = 'idle'
ENDED_ABSOLUTE = 'absolute'
ENDED_REPLACED = 'replaced'
ENDED_DISABLED = 'disabled'
ENDED_LOGOUT = 'logout'
ENDED_RESET = 'reset'

_MISSING = object()

#: environ key: the CSRF token a session had before this request rotated it
PREVIOUS_CSRF_TOKEN = 'portail.previous_csrf_token'  # noqa: S105 (an environ key)


@dataclass
class Identity:
    """Who is making the request, as the security policy sees it."""

    uid: str
    user: object
    session: object
    session_key: str
    #: the first step the account must complete before anything else
    #: (:mod:`portail.auth.steps`), or ``None``
    pending_step: str | None
    principals: list = field(default_factory=list)

    @property
    def roles(self):
        return self.user.roles

    @property
    def ready(self):
        """No step is pending: the account's roles take effect."""
        return self.pending_step is None


def key_of(token):
    """Return the store key of a cookie token (its SHA-256)."""
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


def session_store(request):
    return get_connection(request, SESSIONS_DB).root()[STORE_KEY]


def create_store(sessions_root):
    """Create the session store in the root of the sessions database."""
    if STORE_KEY not in sessions_root:
        sessions_root[STORE_KEY] = OOBTree()


def _users(request):
    return get_root(get_connection(request).root()).users


def _cookie_header(request, value, max_age=None):
    secure = request.registry.settings['portail.secure_cookies']
    return ('Set-Cookie', make_cookie(
        COOKIE_NAME, value, max_age=max_age, path='/', secure=secure,
        httponly=True, samesite='strict'))


def _expire_cookie_header(request):
    return _cookie_header(request, '', max_age=0)


def _ended(request, reason):
    """Record why the session of this request ended; drop its cookie."""
    request.environ['portail.session_ended'] = reason
    header = _expire_cookie_header(request)

    def drop_cookie(request, response):
        response.headerlist.append(header)

    request.add_response_callback(drop_cookie)
    return None


def ended_reason(request):
    """Why the session presented by this request ended, or ``None``."""
    current_identity(request)
    return request.environ.get('portail.session_ended')


def current_identity(request):
    """Return the request's :class:`Identity` (cached), or ``None``."""
    cached = request.__dict__.get('_portail_identity', _MISSING)
    if cached is _MISSING:
        cached = _load_identity(request)
        request.__dict__['_portail_identity'] = cached
    return cached


def _load_identity(request):
    token = request.cookies.get(COOKIE_NAME)
    if not token:
        return None
    store = session_store(request)
    key = key_of(token)
    session = store.get(key)
    if session is None:
        security_event(request, SESSION_EXPIRED, user=None, reason='unknown')
        return _ended(request, ENDED_IDLE)
    if session.ended:
        del store[key]
        return _ended(request, session.ended)
    settings = request.registry.settings
    now = utcnow(request.registry)
    user = _users(request).get(session.uid)
    reason = None
    if user is None or user.disabled:
        reason = ENDED_DISABLED
    elif user.session_key != key:
        reason = ENDED_REPLACED
    elif now - session.created > timedelta(hours=settings['portail.session_max_hours']):
        reason = ENDED_ABSOLUTE
    elif now - session.last_seen > timedelta(minutes=settings['portail.session_idle_minutes']):
        reason = ENDED_IDLE
    if reason is not None:
        if reason in (ENDED_IDLE, ENDED_ABSOLUTE):
            security_event(request, SESSION_EXPIRED, user=session.uid, reason=reason)
        del store[key]
        if user is not None and user.session_key == key:
            user.session_key = None
        return _ended(request, reason)
    if now - session.last_seen > timedelta(seconds=settings['portail.session_touch_seconds']):
        session.last_seen = now
    if session.privilege_serial != user.privilege_serial:
        key = _rotate(request, store, key, session, user)
    step = steps.pending_step(request, user, session, now)
    return Identity(
        uid=user.uid, user=user, session=session, session_key=key, pending_step=step,
        principals=user_principals(user, step is None))


def _send_cookie_after_commit(request, token):
    """Send the new cookie only if the transaction that stored it commits."""
    committed = []
    request.tm.get().addAfterCommitHook(lambda ok: committed.append(ok))
    header = _cookie_header(request, token)

    def set_cookie(request, response):
        if committed and committed[0]:
            response.headerlist.append(header)

    request.add_response_callback(set_cookie)


def _rotate(request, store, key, session, user):
    """Move ``session`` under a new token: the session id changes."""
    token = secrets.token_urlsafe(32)
    new_key = key_of(token)
    del store[key]
    store[new_key] = session
    session.privilege_serial = user.privilege_serial
    # what this request received was made for the former token (portail.flash)
    request.environ[PREVIOUS_CSRF_TOKEN] = session.csrf_token
    session.csrf_token = secrets.token_urlsafe(32)
    user.session_key = new_key
    _send_cookie_after_commit(request, token)
    return new_key


def start_session(request, uid, method=steps.LOCAL_LOGIN):
    """Open a new session for account ``uid``; return the headers to send.

    ``method`` says how the account proved who it is (its password, or the
    identity provider: :mod:`portail.auth.steps`).  The previous session of
    the account, if any, is marked ``replaced``.
    """
    store = session_store(request)
    user = _users(request)[uid]
    if user.session_key is not None:
        previous = store.get(user.session_key)
        if previous is not None:
            previous.ended = ENDED_REPLACED
            security_event(request, SESSION_REPLACED, user=uid)
    token = secrets.token_urlsafe(32)
    key = key_of(token)
    session = PortalSession(
        uid, utcnow(request.registry), request.remote_addr, user.privilege_serial)
    if method != steps.LOCAL_LOGIN:
        session.method = method
    store[key] = session
    user.session_key = key
    request.__dict__.pop('_portail_identity', None)
    return [_cookie_header(request, token)]


def end_session(request):
    """End the request's session (logout); return the headers to send."""
    identity = current_identity(request)
    if identity is not None:
        store = session_store(request)
        store.pop(identity.session_key, None)
        if identity.user.session_key == identity.session_key:
            identity.user.session_key = None
        request.__dict__['_portail_identity'] = None
    return [_expire_cookie_header(request)]


def end_user_sessions(request, user, reason=ENDED_DISABLED):
    """End the session of ``user`` (account disabled); its next request is told why."""
    if user.session_key is not None:
        session = session_store(request).get(user.session_key)
        if session is not None:
            session.ended = reason
        user.session_key = None


def purge_sessions(store, now, max_age):
    """Delete sessions older than ``max_age`` (maintenance); return the count."""
    dead = [k for k, s in store.items() if now - s.created > max_age]
    for key in dead:
        del store[key]
    return len(dead)


def includeme(config):
    """Nothing to register: the sessions database is ``zodbconn.uri.sessions``."""
