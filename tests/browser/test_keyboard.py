"""Keyboard only (issue 8, RGAA 7 and 12, WCAG 2.1.1 and 2.4.7): a journey
done with Tab, Enter, Space and typing, never the mouse.  Every element the
focus lands on must show it (a visible outline) and sit inside the window;
the first Tab of a page reaches the "skip to content" link."""
import re
from datetime import timedelta

from tests.conftest import START

#: the start date the worker types (16/11 on the unshifted clock)
CONTRACT_START = START.date() + timedelta(days=14)

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '',
    text: (el.innerText || el.value || '').trim().replace(/\\s+/g, ' '),
    href: el.getAttribute('href') || '', checked: !!el.checked, focus: el.matches(':focus'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    inside: box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0
            && box.bottom <= innerHeight + 1 && box.right <= innerWidth + 1,
  };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def tab_to(page, wanted, limit=80):
    """Press Tab until the focused element satisfies ``wanted``; check each stop."""
    for _stop in range(limit):
        page.keyboard.press('Tab')
        element = focused(page)
        if element['tag'] == 'body':
            continue  # the focus left the document for the browser's own interface
        if element['type'] == 'date' and not element['focus']:
            continue  # Chromium's own calendar button inside a date field (drawn by it)
        assert element['outline'], f'no visible focus on {element}'
        assert element['inside'], f'focused element outside the window: {element}'
        if wanted(element):
            return element
    raise AssertionError(f'not reachable with Tab on {page.url}')


def date_keys(context, day, month, year):
    """The digits to type in a date field, in the order this browser shows it.

    Debian's Chromium without its locale packs (``chromium-l10n``) shows
    month/day/year whatever the page's language; a French one shows
    day/month/year.  A scratch page tells which, as the user's eyes would.
    """
    probe = context.new_page()
    try:
        probe.set_content('<input type="date" id="d">')
        probe.keyboard.press('Tab')
        probe.keyboard.type('01022003')
        value = probe.evaluate("document.getElementById('d').value")
    finally:
        probe.close()
    return {'2003-02-01': f'{day}{month}{year}', '2003-01-02': f'{month}{day}{year}'}[value]


def named(text):
    return lambda element: element['text'] == text


def test_the_first_tab_reaches_a_visible_skip_link(open_browser):
    me = open_browser()
    page = me.goto('/login')
    page.keyboard.press('Tab')
    skip = focused(page)
    assert skip['text'] == 'Aller au contenu' and skip['href'] == '#main'
    assert skip['outline'] and skip['inside']
    page.keyboard.press('Enter')
    assert focused(page)['id'] == 'main'


def test_a_beneficiary_signs_and_consents_with_the_keyboard_only(open_browser):
    me = open_browser()
    page = me.goto('/login')
    tab_to(page, lambda e: e['id'] == 'login')
    page.keyboard.type('beneficiary2')
    tab_to(page, lambda e: e['id'] == 'password')
    page.keyboard.type('Portail-Demo-2026')
    page = me.press('Enter')
    assert page.get_by_role('heading', level=1).inner_text() == 'Bonjour Béatrice Bénéficiaire'

    # the draft among their contracts: its section opened from the keyboard
    summary = page.locator('details > summary').filter(has_text='brouillon').inner_text()
    tab_to(page, lambda e: e['tag'] == 'summary' and e['text'] == summary)
    page.keyboard.press('Enter')
    tab_to(page, named('Ouvrir le contrat'))
    page = me.press('Enter')
    tab_to(page, named('Signer le contrat'))
    page = me.press('Enter')
    read = tab_to(page, lambda e: e['id'] == 'read')
    assert not read['checked']
    page.keyboard.press('Space')
    assert focused(page)['checked']
    tab_to(page, lambda e: e['tag'] == 'button' and e['text'] == 'Signer le contrat')
    page = me.press('Enter')
    assert 'signé' in page.locator('.state').inner_text()

    tab_to(page, named('Je donne mon consentement : saisie informatique'))
    page = me.press('Enter')
    tab_to(page, named('Confirmer'))
    page = me.press('Enter')
    assert 'Votre choix est enregistré.' in me.flash()
    consents = page.get_by_role('table', name='Consentements enregistrés').inner_text()
    assert 'saisie informatique' in consents

    tab_to(page, named('Se déconnecter'))
    page = me.press('Enter')
    assert page.get_by_role('heading', level=1).inner_text() == 'Connexion au portail'


def test_a_worker_drafts_a_contract_with_the_keyboard_only(open_browser):
    me = open_browser()
    page = me.goto('/login')
    tab_to(page, lambda e: e['id'] == 'login')
    page.keyboard.type('worker1')
    page.keyboard.press('Tab')
    page.keyboard.type('Portail-Demo-2026')
    page = me.press('Enter')
    tab_to(page, named('DURAND Aïcha'))
    page = me.press('Enter')
    tab_to(page, named('Nouveau contrat'))
    page = me.press('Enter')

    start = focused(page)  # the form puts the focus on its first field, the start date
    assert start['type'] == 'date' and start['outline']
    page.keyboard.type(date_keys(me.context, *CONTRACT_START.strftime('%d %m %Y').split()))
    tab_to(page, lambda e: e['tag'] == 'select')  # the duration
    page.keyboard.press('ArrowDown')  # the proposed 6 → 7 months
    checkbox = tab_to(page, lambda e: e['type'] == 'checkbox')  # the first theme
    assert not checkbox['checked']
    page.keyboard.press('Space')
    tab_to(page, lambda e: e['tag'] == 'textarea')
    page.keyboard.type('Atelier de recherche d\'emploi.')
    tab_to(page, lambda e: e['tag'] == 'select')  # the notice was handed over…
    page.keyboard.press('ArrowDown')
    page.keyboard.press('ArrowDown')  # …on paper
    tab_to(page, named('Créer le brouillon'))
    page = me.press('Enter')

    assert 'Le brouillon du contrat est créé.' in me.flash()
    facts = page.locator('dl.facts').first.inner_text()
    assert CONTRACT_START.strftime('%d/%m/%Y') in facts and 'emploi' in facts
    assert "Atelier de recherche d'emploi." in facts
    assert re.search(r'Durée \(mois\)\s+7', facts)
