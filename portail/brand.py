"""The département's brand: its name, logo and colours, from the settings
(README, *Legal pages, brand and licence*).

The portal is a département's site, not a State one: the State's design
system (DSFR, its "bleu France" and the Marianne font) is reserved to State
sites and is not used.  The colours are the département's own, with a
neutral default that passes WCAG AA.

Everything here is computed once at start-up from the settings:

- :func:`colour` is the converter of the two colour settings: a bad value
  stops start-up with a message naming the setting and the expected form;
- :func:`check_brand` (called by :func:`portail.settings.parse_settings`)
  refuses colours whose contrast is below WCAG AA (4.5:1): the main colour
  on the white page (links, borders) and the text colour on the main colour
  (buttons); and refuses a logo that is missing or not PNG, JPEG or SVG;
- :func:`stylesheet` is the small stylesheet ``/brand.css`` serves (the
  Content-Security-Policy forbids inline styles: ``style-src 'self'``).
"""
import hashlib
import os
import re
from dataclasses import dataclass

from portail.letters.templates import DEFAULT_LOGO

#: the neutral default: a dark slate blue, 8.6:1 on white
DEFAULT_PRIMARY = '#1f4e79'
DEFAULT_PRIMARY_TEXT = '#ffffff'
#: the page's background and body text (static/portail.css)
PAGE_BACKGROUND = '#ffffff'
#: WCAG 2.1 success criterion 1.4.3 (AA), normal text
MINIMUM_CONTRAST = 4.5

LOGO_TYPES = {'.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg',
              '.svg': 'image/svg+xml'}

_HEX = re.compile(r'#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})')


class BrandSettingError(ValueError):
    """A brand setting the portal cannot start with; the message says which and why."""


def colour(raw):
    """``raw`` (``#rgb`` or ``#rrggbb``) as ``#rrggbb`` in lower case, or
    :class:`BrandSettingError`."""
    text = (raw or '').strip()
    if not _HEX.fullmatch(text):
        raise BrandSettingError(
            f'{raw!r} is not a colour: write it as #rrggbb in hexadecimal, e.g. '
            f'{DEFAULT_PRIMARY}')
    if len(text) == 4:
        text = '#' + ''.join(c * 2 for c in text[1:])
    return text.lower()


def relative_luminance(hex_colour):
    """WCAG 2.1 relative luminance of ``#rrggbb``."""
    channels = []
    for i in (1, 3, 5):
        c = int(hex_colour[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first, second):
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def check_contrast(primary, primary_text):
    """Raise :class:`BrandSettingError` unless both pairs the pages use reach
    :data:`MINIMUM_CONTRAST`."""
    pairs = (
        ('portail.brand_primary', primary, 'on the white page (links, borders)',
         PAGE_BACKGROUND),
        ('portail.brand_primary_text', primary_text,
         f'on portail.brand_primary {primary} (buttons)', primary),
    )
    for name, fore, where, back in pairs:
        ratio = contrast_ratio(fore, back)
        if ratio < MINIMUM_CONTRAST:
            raise BrandSettingError(
                f'{name} = {fore}: its contrast {where} is {ratio:.2f}:1, below the '
                f'{MINIMUM_CONTRAST}:1 of WCAG AA (RGAA criterion 3.2); choose a darker '
                f'main colour or another text colour')


def check_logo(path):
    """Raise :class:`BrandSettingError` unless ``path`` (when set) is a
    readable PNG, JPEG or SVG file."""
    if not path:
        return
    if os.path.splitext(path)[1].lower() not in LOGO_TYPES:
        raise BrandSettingError(
            f'portail.departement_logo = {path}: the logo must be a PNG, JPEG or SVG file '
            '(.png, .jpg, .jpeg or .svg)')
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        raise BrandSettingError(
            f'portail.departement_logo = {path}: no readable file there')


def check_brand(settings):
    """Check the typed brand settings together (start-up)."""
    check_contrast(settings['portail.brand_primary'], settings['portail.brand_primary_text'])
    check_logo(settings['portail.departement_logo'])


def stylesheet(settings):
    """The CSS of ``/brand.css``: the custom properties ``static/portail.css``
    reads its colours from."""
    return (
        '/* The département\'s colours (portail.brand_* settings, portail/brand.py) */\n'
        ':root {\n'
        f'  --accent: {settings["portail.brand_primary"]};\n'
        f'  --accent-ink: {settings["portail.brand_primary_text"]};\n'
        '}\n'
    )


@dataclass(frozen=True)
class Brand:
    """What the pages show of the brand: the name, whether there is a logo,
    and the versioned addresses of the stylesheet and the logo (the version
    changes with the settings, so browsers may keep them)."""

    name: str
    has_logo: bool
    css_version: str
    logo_version: str


def _digest(data):
    return hashlib.sha256(data).hexdigest()[:12]


def brand_of(settings):
    """The :class:`Brand` of ``settings`` (computed once, kept in the settings)."""
    brand = settings.get('portail.brand')
    if brand is None:
        logo = settings.get('portail.departement_logo') or ''
        brand = Brand(
            name=settings.get('portail.departement_name') or '',
            has_logo=bool(logo),
            css_version=_digest(stylesheet(settings).encode('utf-8')),
            logo_version=_digest(logo_bytes(settings)),
        )
        settings['portail.brand'] = brand
    return brand


def logo_file(settings):
    """The logo's file: the département's, or the portal's plain emblem (the
    one the letters use when no logo is set)."""
    return settings.get('portail.departement_logo') or DEFAULT_LOGO


def logo_bytes(settings):
    with open(logo_file(settings), 'rb') as f:
        return f.read()


def logo_type(settings):
    return LOGO_TYPES.get(os.path.splitext(logo_file(settings))[1].lower(), 'image/png')
