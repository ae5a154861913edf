"""Translations: French by default, English available (SPEC §9).

Messages are English msgids marked with :data:`_`; the catalogs live in
``portail/locale`` (``make i18n`` extracts and compiles them).  Deform's and
colander's own catalogs are loaded too, and deform renders its widgets
through the request's localizer.
"""
import os

import deform
from pyramid.i18n import TranslationStringFactory, get_localizer
from pyramid.threadlocal import get_current_request

_ = TranslationStringFactory('portail')

LANGUAGES = ('fr', 'en')
LANG_COOKIE = 'portail_lang'
DEFORM_OVERRIDES = os.path.join(os.path.dirname(__file__), 'templates', 'deform')


def locale_negotiator(request):
    """The language chosen with the language switch, else French."""
    lang = request.cookies.get(LANG_COOKIE)
    if lang in LANGUAGES:
        return lang
    return request.registry.settings.get('pyramid.default_locale_name', 'fr')


def deform_translator(term):
    request = get_current_request()
    if request is None:  # pragma: no cover (rendering outside a request)
        return term
    return get_localizer(request).translate(term)


def configure_deform():
    deform_templates = os.path.join(os.path.dirname(deform.__file__), 'templates')
    deform.Form.set_zpt_renderer(
        (DEFORM_OVERRIDES, deform_templates), translator=deform_translator)


def includeme(config):
    config.add_translation_dirs('colander:locale', 'deform:locale', 'portail:locale')
    config.set_locale_negotiator(locale_negotiator)
    configure_deform()
