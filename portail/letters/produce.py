"""Producing a letter: check it may be produced, render it, store it, journal it.

The letter's date is the portal's clock in local time (dd/mm/yyyy); the
person's name and address, the district, the référent and the département
come from the dossier and the settings.  The journal entry is a change of
the dossier (``letter:<kind>:<channel>`` on ``letter:<id>``): it names no
person, only the opaque id.
"""
from portail.clock import utcnow
from portail.i18n import _
from portail.journal.record import record
from portail.letters.kinds import CONCERNS, KINDS
from portail.letters.model import CHANNELS, Letter, add_letter
from portail.letters.pdf import html_to_pdf
from portail.letters.templates import localizer_of, render_html
from portail.timefmt import LOCAL_ZONE
from portail.views.labels import district_name, user_name


class LetterRefused(ValueError):
    """The letter cannot be produced; ``message`` (a translation string) says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def concerned(dossier, kind, about):
    """The object of ``dossier`` that ``about`` (``contract:<id>`` or
    ``request:<id>``) names, if a letter of ``kind`` may concern it; else ``None``."""
    prefix, _sep, name = (about or '').partition(':')
    if prefix != kind.concerns or not name:
        return None
    return getattr(dossier, CONCERNS[kind.concerns]).get(name)


def letter_values(request, dossier, kind, obj, extra, now):
    translate = localizer_of(request.registry)[0].translate
    return {
        'person': f'{dossier.first_names} {dossier.last_name.upper()}'.strip(),
        'address_lines': [line.strip() for line in (dossier.address or '').splitlines()
                          if line.strip()],
        'district': district_name(request, dossier.district),
        'referent': user_name(request, dossier.referent),
        'date': now.astimezone(LOCAL_ZONE).strftime('%d/%m/%Y'),
        **kind.facts(obj, extra, translate),
    }


def render_pdf(request, dossier, kind, obj, extra, now):
    """The PDF bytes of a letter of ``kind`` about ``obj``."""
    values = letter_values(request, dossier, kind, obj, extra, now)
    return html_to_pdf(render_html(request.registry, kind, values))


def produce(request, dossier, kind_code, about, channel, extra=None):
    """Produce, store and journal a letter; return it.  Raises
    :class:`LetterRefused` for an unknown kind or channel, an object the
    dossier does not hold, or one the letter cannot speak of yet."""
    kind = KINDS.get(kind_code)
    if kind is None or channel not in CHANNELS:
        raise LetterRefused(_('Choose a kind of letter and how it reaches the person.'))
    obj = concerned(dossier, kind, about)
    if obj is None:
        raise LetterRefused(_('Choose what the letter is about among those of this dossier.'))
    refusal = kind.refusal(obj)
    if refusal is not None:
        raise LetterRefused(refusal)
    now = utcnow(request.registry)
    pdf = render_pdf(request, dossier, kind, obj, extra or {}, now)
    letter = Letter(kind.code, (kind.concerns, obj.__name__), channel,
                    request.authenticated_userid, now, pdf)
    add_letter(dossier, letter)
    record(request, dossier.__name__, f'letter:{letter.__name__}',
           f'letter:{kind.code}:{channel}', 2)
    return letter
