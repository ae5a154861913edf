"""The département's brand (issue 18; portail/brand.py, portail/views/brand.py):
its name, logo and colours from the settings on every page, the printable
contract and the letters; colours checked at start-up (form and WCAG AA
contrast); never the State's design system."""
import re
from pathlib import Path

import pytest

import portail.letters.produce
from portail.brand import BrandSettingError, contrast_ratio
from tests.conftest import Portal, logged_in
from tests.test_letters import newest_letter_url, pdf_text, prepare, produce
from tests.test_printable import contract_url

ROOT = Path(__file__).resolve().parents[1]
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
       '<rect width="40" height="20" fill="#7a1f3d"/></svg>')


@pytest.fixture
def logo(tmp_path):
    path = tmp_path / 'logo-val-temoin.svg'
    path.write_text(SVG, encoding='utf-8')
    return path


@pytest.fixture
def branded(logo):
    return Portal({'portail.departement_name': 'Département du Val-Témoin',
                   'portail.departement_logo': str(logo),
                   'portail.brand_primary': '#7A1F3D',
                   'portail.brand_primary_text': '#fff'}).initialise()


def brand_stylesheet(browser, page):
    """The brand stylesheet the page links, fetched as the browser would."""
    links = [link['href'] for link in page.html.find_all('link', rel='stylesheet')]
    assert links[0] == 'http://localhost/static/portail.css'
    assert re.fullmatch(r'http://localhost/brand\.css\?v=[0-9a-f]{12}', links[1]), links
    return browser.get(links[1])


def test_the_default_brand_is_the_demo_departement_in_neutral_colours(portal):
    anonymous = portal.browser()
    page = anonymous.get('/login')
    brand = page.html.find('a', class_='brand')
    assert ' '.join(brand.get_text().split()) == 'Département de démonstration Portail'
    assert brand.find('img') is None  # no logo: the name as text
    assert page.html.find('title').get_text().endswith(' — Portail — Département de '
                                                       'démonstration')
    css = brand_stylesheet(anonymous, page)
    assert '--accent: #1f4e79;' in css.text and '--accent-ink: #ffffff;' in css.text
    assert contrast_ratio('#1f4e79', '#ffffff') >= 4.5


def test_no_state_design_system(portal):
    """DSFR's "bleu France" and the Marianne font are reserved to State sites."""
    css = (ROOT / 'static' / 'portail.css').read_text(encoding='utf-8').lower()
    rules = re.sub(r'/\*.*?\*/', '', css, flags=re.S)
    assert '#000091' not in rules and 'marianne' not in rules
    assert 'system-ui' in rules
    for template in (ROOT / 'portail').rglob('*.pt'):
        assert '#000091' not in template.read_text(encoding='utf-8').lower(), template


def test_the_brand_on_every_page(branded, logo):
    anonymous = branded.browser()
    worker = logged_in(branded, 'worker1')
    for browser, path in ((anonymous, '/login'), (anonymous, '/notice'),
                          (worker, '/'), (worker, '/legal')):
        page = browser.get(path)
        brand = page.html.find('a', class_='brand')
        image = brand.find('img')
        assert image['alt'] == 'Département du Val-Témoin'
        assert re.fullmatch(r'http://localhost/brand-logo\?v=[0-9a-f]{12}', image['src'])
        assert page.html.find('title').get_text().endswith(' — Département du Val-Témoin')
        css = brand_stylesheet(browser, page)
        assert '--accent: #7a1f3d;' in css.text and '--accent-ink: #ffffff;' in css.text
    served = anonymous.get(image['src'])
    assert served.content_type == 'image/svg+xml'
    assert served.body == logo.read_bytes()


def test_the_brand_files_may_be_kept_by_browsers_and_hold_nothing_personal(branded):
    anonymous = branded.browser()
    for path, content_type in (('/brand.css', 'text/css'), ('/brand-logo', 'image/svg+xml')):
        response = anonymous.get(path)
        assert response.content_type == content_type
        assert response.headers['Cache-Control'] == 'max-age=86400, public'
        assert 'Pragma' not in response.headers
        assert response.headers['Content-Security-Policy'].startswith("default-src 'self'")
        assert 'Set-Cookie' not in response.headers
    # the pages themselves are still never kept
    assert anonymous.get('/notice').headers['Cache-Control'] == 'no-store'
    # a POST is no way in
    anonymous.post('/brand.css', status=404)


def test_without_a_logo_the_letters_emblem_is_served(portal):
    response = portal.browser().get('/brand-logo')
    assert response.content_type == 'image/svg+xml'
    assert response.body == (ROOT / 'portail/letters/templates/logo.svg').read_bytes()


def test_the_printable_contract_carries_the_brand(branded):
    page = logged_in(branded, 'worker1').get(contract_url(branded, 'Durand', 'draft') + 'print')
    head = page.html.find('header', class_='printable-head')
    assert head.find('strong').get_text() == 'Département du Val-Témoin'
    assert head.find('img', class_='printable-logo')['src'].startswith(
        'http://localhost/brand-logo?v=')
    css = (ROOT / 'static' / 'portail.css').read_text(encoding='utf-8')
    assert '.printable-head { border-bottom: 2px solid var(--accent);' in css


def test_the_letters_carry_the_brand(branded, monkeypatch):
    rendered = []
    real = portail.letters.produce.html_to_pdf

    def keep(html):
        rendered.append(html)
        return real(html)

    monkeypatch.setattr(portail.letters.produce, 'html_to_pdf', keep)
    martin = prepare(branded)
    worker = logged_in(branded, 'worker1')
    produce(worker, martin['url'], 'end_of_contract', martin['shared'])
    html = rendered[-1]
    assert 'border-bottom: 2pt solid #7a1f3d' in html and 'color: #7a1f3d' in html
    assert '<title>Département du Val-Témoin</title>' in html
    assert 'src="data:image/svg+xml;base64,' in html
    text = pdf_text(worker.get(newest_letter_url(worker, martin['url'])).body)
    assert 'Département du Val-Témoin' in text


@pytest.mark.parametrize(('settings', 'message'), [
    ({'portail.brand_primary': 'bleu'}, r"portail\.brand_primary: 'bleu' is not a colour: "
                                        r'write it as #rrggbb'),
    ({'portail.brand_primary': '#12345'}, 'portail.brand_primary: .* is not a colour'),
    ({'portail.brand_primary_text': 'white'}, 'portail.brand_primary_text: .* not a colour'),
    # yellow links on the white page: 1.07:1
    ({'portail.brand_primary': '#ffff00'}, r'portail\.brand_primary = #ffff00: its contrast '
                                           r'on the white page .* is 1\.07:1, below the 4\.5:1'),
    # a mid grey passes neither pair: 3.95:1 on white
    ({'portail.brand_primary': '#808080'}, r'portail\.brand_primary = #808080: .* 3\.95:1'),
    # dark text on a dark main colour (the buttons)
    ({'portail.brand_primary_text': '#1b1b1b'},
     r'portail\.brand_primary_text = #1b1b1b: its contrast on portail\.brand_primary '
     r'#1f4e79 \(buttons\) is'),
    ({'portail.departement_logo': '/nowhere/logo.png'},
     'portail.departement_logo = /nowhere/logo.png: no readable file there'),
    ({'portail.departement_logo': str(ROOT / 'setup.cfg')},
     'the logo must be a PNG, JPEG or SVG file'),
])
def test_a_bad_brand_setting_stops_start_up_with_a_clear_message(settings, message):
    with pytest.raises(BrandSettingError, match=message):
        Portal(settings)


def test_a_dark_colour_with_white_text_is_accepted():
    portal = Portal({'portail.brand_primary': '#0b6e4f'}).initialise(demo=False)
    assert contrast_ratio('#0b6e4f', '#ffffff') >= 4.5
    assert '--accent: #0b6e4f;' in portal.browser().get('/brand.css').text
