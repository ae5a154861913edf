"""Translations: French by default, English available (docs/domain.md, *Interface*).

Messages are English msgids marked with :data:`_`; the catalogs live in
``portail/locale`` (``make i18n`` extracts and compiles them).  Deform's and
colander's own catalogs are loaded too, and deform renders its widgets
through the request's localizer.
"""
import os

import deform
from pyramid.i18n import Localizer, TranslationStringFactory, get_localizer, make_localizer
from pyramid.interfaces import ILocalizer, ITranslationDirectories
from pyramid.threadlocal import get_current_registry, get_current_request
from pyramid_chameleon.interfaces import IChameleonTranslate
from pyramid_chameleon.localization import translator as pyramid_translator
from translationstring import ChameleonTranslate, TranslationString

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


#: how many distinct messages a localizer remembers (the portal has about 600)
MEMO_LIMIT = 20_000
_MISSING = object()
_DEFAULT = object()


class MemoLocalizer(Localizer):
    """A :class:`pyramid.i18n.Localizer` that remembers its translations of
    messages without a mapping.

    A page translates forty or so fixed messages (labels, headings, the
    menu); each costs about 20 µs through ``translationstring``, a large
    share of a dossier page (measured by ``make bench``).  The catalogs are
    read once at start-up and never change, so a translation without a
    mapping can be kept; messages with a mapping (names, dates) are always
    translated afresh.  The memo is bounded by :data:`MEMO_LIMIT`.
    """

    def __init__(self, locale_name, translations):
        super().__init__(locale_name, translations)
        self.memo = {}
        #: Chameleon's ``translate`` hook over this localizer
        self.chameleon_translate = ChameleonTranslate(self.translate)

    def translate(self, tstring, domain=None, mapping=None):
        if (mapping is None and domain is None and isinstance(tstring, TranslationString)
                and not tstring.mapping):
            key = (str(tstring), tstring.domain, tstring.default, tstring.context)
            text = self.memo.get(key)
            if text is None:
                text = super().translate(tstring)
                if len(self.memo) < MEMO_LIMIT:
                    self.memo[key] = text
            return text
        return super().translate(tstring, domain=domain, mapping=mapping)


_template_translate = ChameleonTranslate(pyramid_translator)
#: (locale, msgid, domain, default, context) -> translation of a template's fixed message
_template_memo = {}


def template_translate(msgid, domain=None, mapping=None, context=None, target_language=None,
                       default=None):
    """Chameleon's ``translate`` hook, remembering fixed messages per locale.

    Templates get ``target_language`` (the request's locale) from
    :mod:`portail.views.layout`, so a remembered message needs no lookup of
    the current request.  Chameleon may pass a marker as ``default`` and
    expect that very object back when there is no translation; the memo
    keeps that case as such.
    """
    if (target_language is None or mapping or not isinstance(msgid, str)
            or isinstance(msgid, TranslationString)):
        return _template_translate(msgid, domain, mapping, context, target_language, default)
    key = (target_language, msgid, domain, default, context)
    text = _template_memo.get(key, _MISSING)
    if text is _MISSING:
        localizer = get_current_registry().queryUtility(ILocalizer, name=target_language)
        translate = getattr(localizer, 'chameleon_translate', None)
        if translate is None:  # a locale without a MemoLocalizer: nothing is kept
            return _template_translate(msgid, domain, mapping, context, target_language,
                                       default)
        text = translate(msgid, domain, mapping, context, target_language, default)
        if len(_template_memo) < MEMO_LIMIT:
            _template_memo[key] = _DEFAULT if text is default else text
        return text
    return default if text is _DEFAULT else text


def install_memo_localizers(registry):
    """Register a :class:`MemoLocalizer` for each language, and the template hook."""
    directories = registry.queryUtility(ITranslationDirectories, default=[])
    default = registry.settings.get('pyramid.default_locale_name', 'fr')
    for lang in {*LANGUAGES, default}:
        plain = make_localizer(lang, directories)
        registry.registerUtility(MemoLocalizer(lang, plain.translations), ILocalizer, name=lang)
    registry.registerUtility(template_translate, IChameleonTranslate)


def includeme(config):
    config.add_translation_dirs('colander:locale', 'deform:locale', 'portail:locale')
    config.set_locale_negotiator(locale_negotiator)
    configure_deform()
    # after pyramid_chameleon registers its own hook (order 1000)
    config.action(None, install_memo_localizers, args=(config.registry,), order=1001)
