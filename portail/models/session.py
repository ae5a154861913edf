"""Server-side sessions, stored in their own ZODB database (``sessions``).

Keeping sessions apart from the content database means session writes never
conflict with content, the session database can be packed on its own, and
every application server (ZEO, RelStorage) shares them.  A session holds no
personal data: the pseudonymous user id, times, the origin address of the
login and a CSRF token (flash messages travel in a cookie: :mod:`portail.flash`).
"""
import secrets

from persistent import Persistent

#: key of the session store in the root of the ``sessions`` database
STORE_KEY = 'sessions'


class PortalSession(Persistent):
    """One login session.  ``ended`` holds why it ended (or ``None``)."""

    #: sessions stored before flash messages moved to a cookie hold a list here
    flash = ()
    #: how the account proved who it is: ``'password'`` (a local login) or
    #: ``'sso'`` (the identity provider); see :mod:`portail.auth.steps`
    method = 'password'

    def __init__(self, uid, now, origin, privilege_serial):
        self.uid = uid
        self.created = now
        self.last_seen = now
        self.origin = origin
        self.privilege_serial = privilege_serial
        self.csrf_token = secrets.token_urlsafe(32)
        self.ended = None
