"""What every template receives: the layout macro, the user, flash messages,
the CSRF token, the navigation the user is allowed to see."""
from pyramid.events import BeforeRender
from pyramid.renderers import get_renderer

from portail.acl import permissions as P
from portail.auth.sessions import current_identity
from portail.flash import pop_flash
from portail.i18n import LANGUAGES, _
from portail.timefmt import format_datetime


def navigation(request):
    """Return ``[(url, label)]`` of the sections this user may open."""
    identity = current_identity(request)
    if identity is None or not identity.password_ok:
        return []
    root = request.root
    items = [(request.resource_url(root), _('Home'))]
    if request.has_permission(P.MANAGE_ACCOUNTS, root.users):
        items.append((request.resource_url(root.users), _('Accounts')))
    if request.has_permission(P.VIEW_ALL_JOURNALS, root):
        items.append((request.resource_url(root, 'journal'), _('Access journals')))
    if request.has_permission(P.VIEW_ALL_REQUESTS, root):
        items.append((request.resource_url(root, 'requests'), _('Rights requests')))
    if request.has_permission(P.VIEW_STATISTICS, root.statistics):
        items.append((request.resource_url(root.statistics), _('Statistics')))
    return items


class LayoutGlobals:
    """Lazy values, so error pages that fail early can still render."""

    def __init__(self, request):
        self.request = request

    @property
    def identity(self):
        return current_identity(self.request)

    def csrf_token(self):
        from pyramid.csrf import get_csrf_token

        return get_csrf_token(self.request)

    def flash(self):
        return pop_flash(self.request)

    def navigation(self):
        return navigation(self.request)

    def translate(self, message):
        return self.request.localizer.translate(message)

    def datetime(self, value):
        return format_datetime(value)

    @property
    def lang(self):
        return self.request.locale_name

    languages = LANGUAGES


def add_renderer_globals(event):
    request = event.get('request')
    if request is None:  # pragma: no cover (rendering outside a request)
        return
    event['layout'] = get_renderer('portail:templates/layout.pt').implementation()
    event['ui'] = LayoutGlobals(request)
    event['t'] = request.localizer.translate


def includeme(config):
    config.add_subscriber(add_renderer_globals, BeforeRender)
