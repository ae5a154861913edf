"""Remembered translations (portail.i18n): the same page in both languages,
messages with a mapping translated afresh, Chameleon's default marker kept."""
from translationstring import TranslationString

from portail.i18n import MemoLocalizer, _, install_memo_localizers, template_translate
from tests.conftest import logged_in


def test_pages_switch_language_with_the_memo_warm(portal):
    browser = logged_in(portal, 'worker1')
    for _round in range(2):
        page = browser.get('/')
        assert '<html lang="fr">' in page.text and 'Se déconnecter' in page.text
        browser.post_csrf('/language', {'lang': 'en', 'came_from': '/'})
        page = browser.get('/')
        assert '<html lang="en">' in page.text and 'Log out' in page.text
        assert 'Se déconnecter' not in page.text
        browser.post_csrf('/language', {'lang': 'fr', 'came_from': '/'})


def test_the_portal_uses_the_memo_localizers(portal):
    from pyramid.interfaces import ILocalizer

    for lang in ('fr', 'en'):
        localizer = portal.registry.getUtility(ILocalizer, name=lang)
        assert isinstance(localizer, MemoLocalizer)
        assert localizer.translate(_('Log out')) == {'fr': 'Se déconnecter',
                                                     'en': 'Log out'}[lang]


def test_a_message_with_a_mapping_is_interpolated_every_time(portal):
    from pyramid.interfaces import ILocalizer

    localizer = portal.registry.getUtility(ILocalizer, name='fr')
    message = 'You stand in for the référent until ${date}.'
    first = localizer.translate(_(message, mapping={'date': '01/02/2026'}))
    second = localizer.translate(_(message, mapping={'date': '03/04/2027'}))
    assert '01/02/2026' in first and '03/04/2027' in second
    assert localizer.translate(message, domain='portail', mapping={'date': 'x'}).endswith('x.')


def test_the_memo_is_bounded(portal, monkeypatch):
    from pyramid.interfaces import ILocalizer

    import portail.i18n

    monkeypatch.setattr(portail.i18n, 'MEMO_LIMIT', 3)
    translations = portal.registry.getUtility(ILocalizer, name='fr').translations
    localizer = MemoLocalizer('fr', translations)
    for n in range(10):
        assert localizer.translate(TranslationString(f'message {n}', domain='portail')) == \
            f'message {n}'
    assert len(localizer.memo) == 3


class Marker(str):
    """Like Chameleon's StringMarker: compared by identity by the caller."""


def test_chameleon_gets_its_default_marker_back(portal):
    from pyramid.scripting import prepare

    import portail.i18n

    env = prepare(registry=portal.registry)
    try:
        for _round in range(2):  # the second call is answered by the memo
            marker = Marker('')
            assert template_translate('No such message, surely', domain='portail',
                                      target_language='fr', default=marker) is marker
            assert template_translate('Log out', domain='portail',
                                      target_language='fr') == 'Se déconnecter'
            assert template_translate('Log out', domain='portail',
                                      target_language='en') == 'Log out'
            assert ('fr', 'Log out', 'portail', None, None) in portail.i18n._template_memo
    finally:
        env['closer']()


def test_installing_twice_is_harmless(portal):
    install_memo_localizers(portal.registry)
    browser = logged_in(portal, 'worker1')
    assert 'Se déconnecter' in browser.get('/').text
