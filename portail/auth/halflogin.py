"""A login half done: the password was right, the second factor's code is
awaited (docs/domain.md, *Accounts and passwords*).

No session is opened before the code is right, so a stolen password alone
cannot even end the owner's live session (one session per user).  Between
the two forms the server keeps a :class:`HalfLogin` -- the account's uid and
when the password was typed, never the password -- in the sessions
database, under the SHA-256 of a random token; the browser holds the token
in an HttpOnly, SameSite=Strict cookie that lives :data:`LIFETIME_MINUTES`
minutes.  The half login is spent when the code is right (the session is
then opened), when the account gets locked, or when it expires.
"""
import secrets
from datetime import timedelta

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyramid.httpexceptions import HTTPSeeOther
from pyramid_zodbconn import get_connection
from webob.cookies import make_cookie

from portail.auth.sessions import SESSIONS_DB, key_of
from portail.clock import utcnow

COOKIE_NAME = 'portail_login'
#: key of the half logins in the root of the sessions database
STORE_KEY = 'half_logins'
LIFETIME_MINUTES = 5
LIFETIME = timedelta(minutes=LIFETIME_MINUTES)
#: the view where the code is typed (a name on the portal root)
CODE_VIEW = 'login-code'
#: the login page's ``reason`` when a half login expired
ENDED_EXPIRED = 'code-expired'


class HalfLogin(Persistent):
    """Account ``uid`` typed its right password at ``created``."""

    def __init__(self, uid, created):
        self.uid = uid
        self.created = created


def _store(request, create=False):
    root = get_connection(request, SESSIONS_DB).root()
    store = root.get(STORE_KEY)
    if store is None and create:
        store = root[STORE_KEY] = OOBTree()
    return store


def _cookie(request, value, max_age):
    return ('Set-Cookie', make_cookie(
        COOKIE_NAME, value, max_age=max_age, path='/', httponly=True, samesite='strict',
        secure=request.registry.settings['portail.secure_cookies']))


def expire_cookie(request):
    """The header that drops the half login's cookie."""
    return _cookie(request, '', 0)


def begin(request, user):
    """Keep ``user``'s half login; return the redirect to the code's page,
    which carries the cookie.  Expired half logins are dropped meanwhile."""
    now = utcnow(request.registry)
    store = _store(request, create=True)
    _purge(store, now)
    token = secrets.token_urlsafe(32)
    store[key_of(token)] = HalfLogin(user.uid, now)
    return HTTPSeeOther(request.resource_url(request.root, CODE_VIEW), headers=[
        _cookie(request, token, int(LIFETIME.total_seconds()))])


def current(request):
    """``(key, HalfLogin)`` of the request's cookie, or ``None`` if there is
    none or it expired (then it is dropped)."""
    token = request.cookies.get(COOKIE_NAME)
    store = _store(request)
    if not token or store is None:
        return None
    key = key_of(token)
    half = store.get(key)
    if half is None:
        return None
    if utcnow(request.registry) - half.created > LIFETIME:
        del store[key]
        return None
    return key, half


def end(request, key):
    """Spend the half login ``key``."""
    store = _store(request)
    if store is not None:
        store.pop(key, None)


def _purge(store, now):
    dead = [key for key, half in store.items() if now - half.created > LIFETIME]
    for key in dead:
        del store[key]
    return len(dead)


def purge_half_logins(sessions_root, now):
    """Delete the expired half logins of the sessions database
    ``sessions_root`` (maintenance: ``portail-purge-sessions``); return how many."""
    store = sessions_root.get(STORE_KEY)
    return 0 if store is None else _purge(store, now)
