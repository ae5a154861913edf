"""Finding and rendering a letter's template.

Every kind has a Chameleon template in this package
(``portail/letters/templates/<kind>.pt``), which uses the letterhead and
signature of ``base.pt``.  A file of the same name in the folder named by
``portail.letters_dir`` wins: that is how a département edits its letters
(docs/letters.md).  The files are read again when they change, so an edit
takes effect at the next letter, without a restart.  The folder is the
département's own, written by its administrators on the server: its
templates are trusted like the portal's code.

Letters are written in the portal's language (``pyramid.default_locale_name``,
French), whatever language the person producing it reads the portal in:
they are the département's documents.
"""
import base64
import mimetypes
import os

from chameleon import PageTemplateFile
from pyramid.interfaces import ILocalizer

PACKAGE_DIR = os.path.join(os.path.dirname(__file__), 'templates')
#: the logo used when ``portail.departement_logo`` is empty
DEFAULT_LOGO = os.path.join(PACKAGE_DIR, 'logo.svg')

#: path -> compiled template (read again when its file changes)
_CACHE = {}


def template_path(settings, name):
    """The file of template ``name``: the département's if it has one."""
    folder = settings.get('portail.letters_dir') or ''
    if folder:
        own = os.path.join(folder, name)
        if os.path.isfile(own):
            return own
    return os.path.join(PACKAGE_DIR, name)


def load(settings, name):
    path = template_path(settings, name)
    template = _CACHE.get(path)
    if template is None:
        template = _CACHE[path] = PageTemplateFile(path, auto_reload=True)
    return template


def logo_uri(settings):
    """The département's logo as a ``data:`` URI (WeasyPrint fetches nothing)."""
    path = settings.get('portail.departement_logo') or DEFAULT_LOGO
    mime = mimetypes.guess_type(path)[0] or 'image/png'
    with open(path, 'rb') as f:
        data = base64.b64encode(f.read()).decode('ascii')
    return f'data:{mime};base64,{data}'


def localizer_of(registry):
    """The localizer of the portal's language (letters are in French)."""
    lang = registry.settings.get('pyramid.default_locale_name', 'fr')
    return registry.queryUtility(ILocalizer, name=lang), lang


def render_html(registry, kind, values):
    """The HTML of a letter of ``kind`` with ``values`` (see :mod:`.produce`)."""
    settings = registry.settings
    localizer, lang = localizer_of(registry)
    template = load(settings, kind.template)
    return template(base=load(settings, 'base.pt'), t=localizer.translate,
                    translate=localizer.chameleon_translate, target_language=lang,
                    departement=settings.get('portail.departement_name', ''),
                    logo=logo_uri(settings),
                    brand_colour=settings.get('portail.brand_primary') or '#000000', **values)
