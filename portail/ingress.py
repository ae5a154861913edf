"""What every request goes through before Pyramid reads it (issue 13).

:class:`Ingress` wraps the Pyramid router, the WSGI application that
:func:`portail.main` returns.  For each request it

1. sets the address the portal is served at, from ``portail.public_url``,
   never from the ``Host`` header (:mod:`portail.publicurl`);
2. refuses an address that is not UTF-8 (:mod:`portail.charset`);
3. refuses a body over ``portail.max_request_bytes``, unread
   (:mod:`portail.limits`).

A refused request still goes through Pyramid, with a neutral address (``/``)
and no body, so that its French page is rendered like any other, in the
user's language, with their menu and the security headers: the refusal is
kept in the environ and the tween :func:`refusal_tween_factory`, just under
Pyramid's exception view tween, raises it before traversal.  That tween
also refuses a form body that is not UTF-8, once the body is read.
"""
from pyramid.interfaces import IRootFactory
from pyramid.tweens import EXCVIEW

from portail import charset, limits, publicurl

#: the environ key of the refusal decided before Pyramid
REFUSAL = 'portail.refusal'
#: the environ key of a refused address (for the log line of the refusal)
REFUSED_ADDRESS = 'portail.refused_address'


class Ingress:
    """The portal's WSGI application: ``router`` behind the checks above.

    ``registry`` is the router's, as scripts and tests expect of a Pyramid app."""

    def __init__(self, router):
        self.router = router
        self.registry = router.registry

    def __call__(self, environ, start_response):
        settings = self.registry.settings
        publicurl.apply(environ, settings['portail.public_url'])
        if not charset.address_readable(environ):
            environ[REFUSAL] = charset.BadEncoding()
            environ[REFUSED_ADDRESS] = environ.get('PATH_INFO', '')[:200]
            environ['PATH_INFO'], environ['QUERY_STRING'] = '/', ''
            limits.drop_body(environ)
        else:
            refusal = limits.cap_body(environ, settings['portail.max_request_bytes'])
            if refusal is not None:
                environ[REFUSAL] = refusal
        return self.router(environ, start_response)


def refusal_tween_factory(handler, registry):
    """Raise the refusal decided by :class:`Ingress`, or refuse a form body
    that is not UTF-8; the exception view renders the page."""

    root_factory = registry.getUtility(IRootFactory)

    def refusal_tween(request):
        refusal = request.environ.get(REFUSAL)
        if refusal is None and not charset.body_readable(request):
            refusal = charset.BadEncoding()
        if refusal is not None:
            # traversal will not run: the page's menu needs the root
            request.root = root_factory(request)
            raise refusal
        return handler(request)

    return refusal_tween


def includeme(config):
    config.add_tween('portail.ingress.refusal_tween_factory', under=EXCVIEW)
