"""What every template receives: the layout macro, the user, flash messages,
the CSRF token, the navigation the user is allowed to see."""
from pyramid.events import BeforeRender
from pyramid.renderers import get_renderer

from portail.acl.roles import is_staff
from portail.auth.sessions import current_identity
from portail.brand import brand_of
from portail.flash import pop_flash
from portail.i18n import LANGUAGES, _
from portail.legal import kept_legal_facts
from portail.menu import sections
from portail.timefmt import format_datetime
from portail.views.pending import has_pending_work, pending_count


def navigation(request):
    """Return ``[(url, label)]`` of the sections this user may open: the
    home page, the count of their pending work (read afresh: it changes
    with the data), then the sections their permissions open
    (:func:`portail.menu.sections`, kept per deciding principals)."""
    identity = current_identity(request)
    if identity is None or not identity.ready:
        return []
    home = request.resource_url(request.root)
    items = [(home, _('Home'))]
    if has_pending_work(request, identity):
        count = pending_count(request, identity)
        items.append((home + '#pending', _('To do (${n})', mapping={'n': count})))
    items.extend(sections(request, home))
    return items


#: set in the environ by a view whose page must render without any database
#: (the error pages of :mod:`portail.views.errors`)
BARE_PAGE = 'portail.bare_page'


def render_bare(request):
    """Render this request's page without the user's menu, account box, language
    form and messages: nothing that reads a database (a failed request's
    connections may be unusable, and its transaction is being aborted)."""
    request.environ[BARE_PAGE] = True


class LayoutGlobals:
    """Lazy values, so error pages that fail early can still render."""

    def __init__(self, request):
        self.request = request
        self._app_url = None

    @property
    def app_url(self):
        """``request.application_url``, computed once per page (webob builds it
        from the environ on every access)."""
        if self._app_url is None:
            self._app_url = self.request.application_url
        return self._app_url

    @property
    def bare(self):
        """True on a page that must not touch any database (see :func:`render_bare`)."""
        return self.request.environ.get(BARE_PAGE, False)

    @property
    def identity(self):
        return None if self.bare else current_identity(self.request)

    @property
    def staff(self):
        """The request's account is a staff account (it has a confidentiality
        charter to read: :mod:`portail.auth.charter`)."""
        identity = self.identity
        return identity is not None and is_staff(identity.user)

    @property
    def brand(self):
        """The département's :class:`portail.brand.Brand` (settings only: bare
        pages show it too)."""
        return brand_of(self.request.registry.settings)

    @property
    def legal(self):
        """The :class:`portail.legal.LegalFacts` the legal pages and the
        printed notice show (built once: :func:`portail.legal.kept_legal_facts`)."""
        return kept_legal_facts(self.request.registry.settings)

    def csrf_token(self):
        from pyramid.csrf import get_csrf_token

        return get_csrf_token(self.request)

    def form_key(self):
        """A fresh one-time key for a hand-written form (:mod:`portail.formkeys`)."""
        from portail.formkeys import new_form_key

        return '' if self.bare else new_form_key()

    def flash(self):
        return [] if self.bare else pop_flash(self.request)

    def navigation(self):
        return [] if self.bare else navigation(self.request)

    def translate(self, message):
        return self.request.localizer.translate(message)

    def datetime(self, value):
        return format_datetime(value)

    @property
    def lang(self):
        return self.request.locale_name

    languages = LANGUAGES


#: the layout macro's template
LAYOUT = 'portail:templates/layout.pt'


def layout_template(registry):
    """The layout's template, looked up once per application (Chameleon
    reloads a template file itself when ``pyramid.reload_templates`` is on)."""
    template = registry.__dict__.get('_portail_layout')
    if template is None:
        template = get_renderer(LAYOUT, registry=registry).implementation()
        registry.__dict__['_portail_layout'] = template
    return template


def add_renderer_globals(event):
    request = event.get('request')
    if request is None:  # pragma: no cover (rendering outside a request)
        return
    event['layout'] = layout_template(request.registry)
    event['ui'] = LayoutGlobals(request)
    event['t'] = request.localizer.translate
    # the locale of Chameleon's i18n:translate (see portail.i18n.template_translate)
    event['target_language'] = request.locale_name


def includeme(config):
    config.add_subscriber(add_renderer_globals, BeforeRender)
