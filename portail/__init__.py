"""Portail: insertion contracts portal for a département's social service.

:func:`main` builds the WSGI application from the ``[app:main]`` settings.
"""
import warnings

# Pyramid 2.1 and deform 3 import pkg_resources, which warns on import that it
# is deprecated (a UserWarning from setuptools 80.9): every portail-* command
# printed it.  Filtered here, before Pyramid is first imported; pserve imports
# Pyramid before the portal, hence the setuptools pin of constraints.txt.
warnings.filterwarnings('ignore', message='pkg_resources is deprecated as an API')

from pyramid.config import Configurator  # noqa: E402

from portail.acl.policy import PortalSecurityPolicy  # noqa: E402
from portail.csrf import SessionCSRFStoragePolicy  # noqa: E402
from portail.ingress import Ingress  # noqa: E402
from portail.models.root import root_factory  # noqa: E402
from portail.settings import parse_settings  # noqa: E402


def main(global_config, **settings):
    """Return the Portail WSGI application (:class:`portail.ingress.Ingress`
    in front of the Pyramid router)."""
    settings = parse_settings(settings)
    with Configurator(settings=settings, root_factory=root_factory) as config:
        config.include('pyramid_chameleon')
        config.include('portail.templating')
        config.include('pyramid_tm')
        config.include('pyramid_retry')
        config.include('portail.backoff')
        config.include('portail.journal.writer')
        config.include('portail.lastresort')
        config.include('pyramid_zodbconn')
        config.include('portail.i18n')
        config.include('portail.clock')
        config.include('portail.headers')
        config.include('portail.ingress')
        config.include('portail.auth.sessions')
        config.include('portail.auth.oidc')
        config.include('portail.workflow')
        config.include('portail.feed.subscriber')
        config.include('portail.gcpolicy')
        config.include('portail.formkeys')
        config.set_security_policy(PortalSecurityPolicy())
        config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
        # Every POST must carry the token of its server-side session.  The
        # Origin check is off: with ``Referrer-Policy: no-referrer`` browsers
        # send ``Origin: null`` on every POST, which that check would refuse;
        # the session-bound token and SameSite=Strict cookies protect instead.
        config.set_default_csrf_options(require_csrf=True, check_origin=False)
        # Deny by default: a view that forgets its permission is still protected.
        config.set_default_permission('view_home')
        config.include('portail.views')
        config.scan('portail.views')
    # in front of the router: the public URL, the address's encoding, the body's size
    return Ingress(config.make_wsgi_app())
