"""CSRF token storage (docs/domain.md, *Pages and requests*: ``require_csrf`` on every
state-changing request).

An authenticated request keeps its token in its server-side session, so the
token changes with the session id.  Before login (the login form itself,
the activation form) there is no server session: the token is kept in an
HttpOnly, SameSite=Strict cookie and compared with the submitted one
("double submit"), which needs no write to the database for anonymous
visitors.
"""
import secrets

from pyramid.interfaces import ICSRFStoragePolicy
from pyramid.util import strings_differ
from webob.cookies import make_cookie
from zope.interface import implementer

from portail.auth.sessions import current_identity

ANON_COOKIE = 'portail_csrf'


@implementer(ICSRFStoragePolicy)
class SessionCSRFStoragePolicy:
    """Token in the server session when logged in, in a cookie otherwise."""

    def new_csrf_token(self, request):
        identity = current_identity(request)
        token = secrets.token_urlsafe(32)
        if identity is not None:
            identity.session.csrf_token = token
        else:
            self._set_anonymous(request, token)
        return token

    def get_csrf_token(self, request):
        identity = current_identity(request)
        if identity is not None:
            return identity.session.csrf_token
        token = request.__dict__.get('_portail_anon_csrf') or request.cookies.get(ANON_COOKIE)
        if not token:
            token = self.new_csrf_token(request)
        return token

    def check_csrf_token(self, request, supplied_token):
        expected = self.get_csrf_token(request)
        return not strings_differ(expected.encode('utf-8'), (supplied_token or '').encode('utf-8'))

    def _set_anonymous(self, request, token):
        request.__dict__['_portail_anon_csrf'] = token
        secure = request.registry.settings['portail.secure_cookies']
        header = make_cookie(ANON_COOKIE, token, path='/', secure=secure,
                             httponly=True, samesite='strict')

        def set_cookie(request, response):
            response.headerlist.append(('Set-Cookie', header))

        request.add_response_callback(set_cookie)
