"""Shared rules for what users send (issue 13): text, dates, numbers and
redirect targets.

Every form schema and every view that reads a parameter uses these rules,
so that each is written once with its French message:

- text: at most a given length; no control character, except tab and line
  breaks in a multi-line text (:class:`Text`, :func:`text_problem`);
- dates: within a sane range, by default :data:`EARLIEST`..:data:`LATEST`,
  and for the dates of a contract or a delegation within
  :data:`YEARS_AROUND_TODAY` years of the portal's today
  (:class:`DateRange`, :func:`around_today`);
- numbers: ASCII digits, in range (:class:`AsciiInt` in a form,
  :func:`ascii_int` and :func:`query_int` for a query parameter);
- redirect targets: a path of the portal, nothing that could end a header
  (:func:`local_path`).

A form field that breaks a rule gets its message next to it (a
``colander.Invalid``); a query parameter or a redirect target that breaks
one refuses the request with :class:`BadParameter`, a French 400 page.
"""
import datetime
import re

import colander

from portail.badinput import BadInput
from portail.clock import utcnow
from portail.i18n import _

#: refused in a multi-line text: every control character but tab, line feed
#: and carriage return (C0, DEL, C1), lone surrogates, the non-characters
#: U+FFFE and U+FFFF
MULTI_LINE_REFUSED = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]')
#: refused in a single line: the same, plus tab, line breaks and the Unicode
#: line and paragraph separators
SINGLE_LINE_REFUSED = re.compile('[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]')

CONTROL_IN_LINE = _('This field holds invisible control characters (such as a line break '
                    'or a tab): remove them.')
CONTROL_IN_TEXT = _('This text holds invisible control characters: remove them.')
TOO_LONG = _('At most ${max} characters (there are ${length}).')
TOO_SHORT = _('At least ${min} characters.')
NOT_A_NUMBER = _('Enter a whole number, in digits.')
DATE_OUT_OF_RANGE = _('Enter a date between ${start} and ${end}.')

#: the dates any form accepts
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)
#: contract and delegation dates lie within this many years of today
YEARS_AROUND_TODAY = 10
#: digits of a number read from a form or an address
MAX_DIGITS = 9
_DIGITS = re.compile(rf'-?[0-9]{{1,{MAX_DIGITS}}}')


BAD_PARAMETER = _('The address or the form holds a value the portal cannot use (${name}). '
                  'Check the link, or go back and try again: nothing was changed.')


class BadParameter(BadInput):
    """A query parameter or a redirect target the portal cannot use."""

    def __init__(self, name):
        super().__init__(_(BAD_PARAMETER, mapping={'name': name}))


# --- text


def text_problem(value, max_length, multiline=False, min_length=0):
    """What is wrong with the text ``value`` (a message), or ``None``."""
    refused = MULTI_LINE_REFUSED if multiline else SINGLE_LINE_REFUSED
    if refused.search(value):
        return CONTROL_IN_TEXT if multiline else CONTROL_IN_LINE
    if len(value) > max_length:
        return _(TOO_LONG, mapping={'max': max_length, 'length': len(value)})
    if len(value) < min_length:
        return _(TOO_SHORT, mapping={'min': min_length})
    return None


class Text:
    """A colander validator: a text of ``min_length`` to ``max_length``
    characters, on one line unless ``multiline``, without control
    characters; then ``then`` (another validator), if the text passed."""

    def __init__(self, max_length, min_length=0, multiline=False, then=None, min_err=None):
        self.max_length, self.min_length = max_length, min_length
        self.multiline, self.then, self.min_err = multiline, then, min_err

    def __call__(self, node, value):
        problem = text_problem(value, self.max_length, self.multiline, self.min_length)
        if problem is not None:
            if self.min_err is not None and len(value) < self.min_length:
                problem = self.min_err
            raise colander.Invalid(node, problem)
        if self.then is not None:
            self.then(node, value)


def line(max_length, **kw):
    """A single-line text field's validator (see :class:`Text`)."""
    return Text(max_length, multiline=False, **kw)


def text(max_length, **kw):
    """A multi-line text field's validator (see :class:`Text`)."""
    return Text(max_length, multiline=True, **kw)


def phone():
    """A phone number's validator: one line of at most 30 digits, spaces,
    ``+``, parentheses, dots or dashes (a person's, a district's)."""
    return line(30, then=colander.Regex(r'^[0-9 +().-]{0,30}$',
                                        _('Digits, spaces and + only.')))


# --- numbers


def ascii_int(raw, minimum, maximum):
    """The number written in ``raw`` in ASCII digits (at most
    :data:`MAX_DIGITS`), if it lies in ``minimum..maximum``; else ``None``."""
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def query_int(request, name, minimum, maximum, default=None):
    """The number of query parameter ``name``, ``default`` when it is absent
    or empty; :class:`BadParameter` when it is not a number in range."""
    raw = request.GET.get(name, '')
    if raw == '':
        return default
    value = ascii_int(raw, minimum, maximum)
    if value is None:
        raise BadParameter(name)
    return value


class AsciiInt(colander.Int):
    """``colander.Int`` that reads ASCII digits only (``int()`` also reads
    ``'٣'`` and would try 5000-digit strings), at most :data:`MAX_DIGITS`."""

    def deserialize(self, node, cstruct):
        if cstruct is colander.null or cstruct == '':
            return colander.null
        if not isinstance(cstruct, str) or not _DIGITS.fullmatch(cstruct):
            raise colander.Invalid(node, NOT_A_NUMBER)
        return int(cstruct)


# --- dates


def day_month_year(day):
    return day.strftime('%d/%m/%Y')


class DateRange:
    """A colander validator: a date within ``start..end``, both included."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __contains__(self, day):
        return self.start <= day <= self.end

    def message(self):
        return _(DATE_OUT_OF_RANGE, mapping={'start': day_month_year(self.start),
                                             'end': day_month_year(self.end)})

    def __call__(self, node, value):
        if value not in self:
            raise colander.Invalid(node, self.message())


#: the range of any date
ANY_DATE = DateRange(EARLIEST, LATEST)


def shift_years(day, years):
    """``day`` moved by ``years`` years (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def today(request):
    """The portal's today (its clock, in UTC)."""
    return utcnow(request.registry).date()


def around_today(request, before=YEARS_AROUND_TODAY, after=YEARS_AROUND_TODAY):
    """The :class:`DateRange` from ``before`` years ago to ``after`` years ahead."""
    day = today(request)
    return DateRange(shift_years(day, -before), shift_years(day, after))


@colander.deferred
def deferred_date_around_today(node, kw):
    """The validator of a contract date: within :data:`YEARS_AROUND_TODAY` years."""
    return around_today(kw['request'])


def parse_date(raw, allowed=ANY_DATE):
    """The ISO date (``YYYY-MM-DD``) written in ``raw``: ``None`` when it is
    empty, ``False`` when it is not such a date or lies outside ``allowed``."""
    if not raw:
        return None
    if not isinstance(raw, str) or len(raw) != 10 or not raw.isascii():
        return False
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        return False
    return day if day in allowed else False


# --- redirect targets


def local_path(target):
    """``target`` if it is a path of this site, ``/`` if it is empty or points
    elsewhere (``//host``, ``http://host``, ``\\``).

    A path from a form is put in a ``Location`` header: anything but
    printable ASCII in it (a line break would start a header of its own)
    refuses the request with :class:`BadParameter`.  The paths the portal
    itself writes (``request.path_qs``) are percent-encoded ASCII."""
    if not target:
        return '/'
    if not (target.isascii() and target.isprintable()) or ' ' in target:
        raise BadParameter('came_from')
    if not target.startswith('/') or target.startswith('//') or '\\' in target:
        return '/'
    return target
