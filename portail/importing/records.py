"""One line of an import file checked into a plain record, or rejected.

The rules are the portal's own, with their messages (:mod:`portail.validators`,
the forms of :mod:`portail.views.admin`, :mod:`portail.views.dossiers` and
:mod:`portail.views.contracts`): a line holds what a form would accept.
What needs the database (does the référent exist, is the login free) is
checked when the record is applied (:mod:`portail.importing.apply`).

A check returns a record, or raises :class:`Rejected` with the reason, a
translation string naming the column (``date_naissance : ...``).
"""
import datetime
import re
from dataclasses import dataclass

import colander

from portail.acl.roles import (
    DEPARTMENT_WIDE_ROLES,
    MANAGER,
    OPTIONAL_DISTRICT_ROLES,
    incompatible_roles,
)
from portail.i18n import _
from portail.importing.columns import CONTRACT_STATES, NO, ROLE_CODES, ROLE_SEPARATOR, YES
from portail.models.contract import add_months
from portail.models.dossier import normalise_name
from portail.validators import (
    EARLIEST,
    TOO_SHORT,
    YEARS_AROUND_TODAY,
    DateRange,
    shift_years,
    text_problem,
)


class Rejected(Exception):
    """A line that cannot be imported; ``reason`` says why (a translation string)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


IN_COLUMN = _('${column}: ${problem}')
REQUIRED = _('required, and empty')
NOT_A_DATE = _('« ${value} » is not a date (YYYY-MM-DD or DD/MM/YYYY)')
NOT_A_NUMBER = _('« ${value} » is not a whole number in digits')
OUT_OF_RANGE = _('between ${min} and ${max}')
DATE_OUT_OF_RANGE = _('« ${value} » is not between ${start} and ${end}')
UNKNOWN_DISTRICT = _('unknown district « ${value} » (create it in Portail first)')
BAD_LOGIN = _('3 to 40 letters, digits, dot, dash or underscore (« ${value} »)')
BAD_EXTERNAL_ID = _('at most 64 letters, digits, dot, dash, underscore or slash (« ${value} »)')
UNKNOWN_ROLE = _('unknown role « ${value} » (one of ${roles})')
ADMIN_WITH_FILE_ROLES = _('an account administrator cannot also hold ${roles}')
DISTRICT_NEEDED = _('these roles belong to a district: give one')
QUALIFIED_MANAGERS_ONLY = _('only a district manager can be a qualified social worker')
YES_OR_NO = _('« ${value} » is neither oui nor non')
BAD_PHONE = _('digits, spaces and + only (« ${value} »)')
BAD_EMAIL = _('« ${value} » is not a valid e-mail address')
UNKNOWN_STATE = _('unknown state « ${value} » (one of ${states})')
CONTRACT_NEEDS = _('required when contrat_etat is given')
CONTRACT_WITHOUT_STATE = _('contract dates without contrat_etat')
REVIEW_OUTSIDE = _('the review date must fall between the start and the end of the contract')

_LOGIN = re.compile(r'[a-zA-Z0-9._-]{3,40}')
_EXTERNAL_ID = re.compile(r'[A-Za-z0-9._/-]{1,64}')
_PHONE = re.compile(r'[0-9 +().-]{0,30}')
#: the e-mail addresses the dossier form accepts (colander's)
_EMAIL = re.compile(colander.EMAIL_RE)
_FRENCH_DATE = re.compile(r'([0-9]{2})/([0-9]{2})/([0-9]{4})')
_ISO_DATE = re.compile(r'[0-9]{4}-[0-9]{2}-[0-9]{2}')


def reject(column, problem, **mapping):
    """Raise :class:`Rejected` for ``column`` with ``problem`` (and its mapping)."""
    if mapping:
        problem = _(problem, mapping=mapping)
    raise Rejected(_(IN_COLUMN, mapping={'column': column, 'problem': problem}))


@dataclass(frozen=True)
class Context:
    """What the checks need besides the line: the districts (folded name →
    id) and the portal's today."""

    districts: dict
    today: datetime.date

    @classmethod
    def of(cls, root, today):
        return cls({normalise_name(d.name): name for name, d in root.districts.items()}, today)


# -- values ------------------------------------------------------------------------


def required(values, column):
    value = values.get(column, '')
    if not value:
        reject(column, REQUIRED)
    return value


def single_line(values, column, max_length, needed=False):
    value = required(values, column) if needed else values.get(column, '')
    problem = text_problem(value, max_length)
    if problem is not None:
        reject(column, problem)
    return value


def external_id(values):
    value = required(values, 'id_externe')
    if not _EXTERNAL_ID.fullmatch(value):
        reject('id_externe', BAD_EXTERNAL_ID, value=value[:70])
    return value


def parse_day(column, value):
    """The date written ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (``2026-02-30`` is not one)."""
    french = _FRENCH_DATE.fullmatch(value)
    iso = value if _ISO_DATE.fullmatch(value) else None
    if french:
        iso = f'{french.group(3)}-{french.group(2)}-{french.group(1)}'
    try:
        if iso is None:
            raise ValueError(value)
        return datetime.date.fromisoformat(iso)
    except ValueError:
        reject(column, NOT_A_DATE, value=value[:40])


def day_in(column, value, start, end):
    day = parse_day(column, value)
    if day not in DateRange(start, end):
        reject(column, DATE_OUT_OF_RANGE, value=value, start=start.strftime('%d/%m/%Y'),
               end=end.strftime('%d/%m/%Y'))
    return day


def number(column, value, minimum, maximum):
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        reject(column, NOT_A_NUMBER, value=value[:40])
    if not minimum <= int(value) <= maximum:
        reject(column, OUT_OF_RANGE, min=minimum, max=maximum)
    return int(value)


def district(values, context, needed=True):
    value = values.get('circonscription', '')
    if not value:
        if needed:
            reject('circonscription', REQUIRED)
        return None
    found = context.districts.get(normalise_name(value))
    if found is None:
        reject('circonscription', UNKNOWN_DISTRICT, value=value[:100])
    return found


# -- the accounts file ------------------------------------------------------------


@dataclass(frozen=True)
class AccountRecord:
    line: int
    external_id: str
    login: str
    fullname: str
    roles: tuple
    district: object
    qualified: bool


def account(line, values, context):
    """The :class:`AccountRecord` of a line of the accounts file."""
    ext = external_id(values)
    login = required(values, 'identifiant').lower()
    if not _LOGIN.fullmatch(login):
        reject('identifiant', BAD_LOGIN, value=login[:50])
    fullname = single_line(values, 'nom_complet', 100, needed=True)
    if len(fullname) < 2:
        reject('nom_complet', TOO_SHORT, min=2)
    roles = []
    for code in required(values, 'roles').lower().split(ROLE_SEPARATOR):
        code = code.strip()
        if code not in ROLE_CODES:
            reject('roles', UNKNOWN_ROLE, value=code[:40], roles=', '.join(ROLE_CODES))
        if code not in roles:
            roles.append(code)
    conflicts = incompatible_roles(roles)
    if conflicts:
        reject('roles', ADMIN_WITH_FILE_ROLES, roles=', '.join(conflicts))
    where = district(values, context, needed=False)
    if where is None and set(roles) - DEPARTMENT_WIDE_ROLES - OPTIONAL_DISTRICT_ROLES:
        reject('circonscription', DISTRICT_NEEDED)
    qualified = values.get('travailleur_social_qualifie', '').lower()
    if qualified not in YES + NO:
        reject('travailleur_social_qualifie', YES_OR_NO, value=qualified[:20])
    qualified = qualified in YES
    if qualified and MANAGER not in roles:
        reject('travailleur_social_qualifie', QUALIFIED_MANAGERS_ONLY)
    return AccountRecord(line, ext, login, fullname, tuple(sorted(roles)), where, qualified)


# -- the dossiers file ------------------------------------------------------------


@dataclass(frozen=True)
class ContractRecord:
    state: str
    start_date: datetime.date
    duration_months: int
    review_date: object


@dataclass(frozen=True)
class DossierRecord:
    line: int
    external_id: str
    last_name: str
    first_names: str
    birth_date: datetime.date
    district: str
    referent: str
    address: str
    phone: str
    email: str
    household_size: object
    contract: object

    def fields(self):
        """The dossier's imported fields, as :func:`dossier_fields` reads them
        from a dossier."""
        return {'last_name': self.last_name, 'first_names': self.first_names,
                'birth_date': self.birth_date, 'address': self.address, 'phone': self.phone,
                'email': self.email, 'household_size': self.household_size}


def dossier_fields(dossier):
    return {name: getattr(dossier, name) for name in (
        'last_name', 'first_names', 'birth_date', 'address', 'phone', 'email',
        'household_size')}


def dossier(line, values, context):
    """The :class:`DossierRecord` of a line of the dossiers file."""
    ext = external_id(values)
    last_name = single_line(values, 'nom', 80, needed=True)
    first_names = single_line(values, 'prenoms', 120, needed=True)
    born = day_in('date_naissance', required(values, 'date_naissance'), EARLIEST,
                  context.today)
    where = district(values, context)
    referent = required(values, 'referent').lower()
    address = single_line(values, 'adresse', 300)
    phone = single_line(values, 'telephone', 30)
    if not _PHONE.fullmatch(phone):
        reject('telephone', BAD_PHONE, value=phone)
    email = single_line(values, 'email', 254)
    if email and not _EMAIL.match(email):
        reject('email', BAD_EMAIL, value=email)
    size = values.get('taille_foyer', '')
    size = number('taille_foyer', size, 1, 20) if size else None
    return DossierRecord(line, ext, last_name, first_names, born, where, referent, address,
                         phone, email, size, contract(values, context))


def contract(values, context):
    """The :class:`ContractRecord` of the line, or ``None`` without ``contrat_etat``."""
    code = values.get('contrat_etat', '').lower()
    dates = ('contrat_debut', 'contrat_duree_mois', 'contrat_revision')
    if not code:
        if any(values.get(c) for c in dates):
            reject('contrat_etat', CONTRACT_WITHOUT_STATE)
        return None
    state = CONTRACT_STATES.get(code)
    if state is None:
        reject('contrat_etat', UNKNOWN_STATE, value=code[:40],
               states=', '.join(CONTRACT_STATES))
    for column in dates[:2]:
        if not values.get(column):
            reject(column, CONTRACT_NEEDS)
    earliest = shift_years(context.today, -YEARS_AROUND_TODAY)
    latest = shift_years(context.today, YEARS_AROUND_TODAY)
    start = day_in('contrat_debut', values['contrat_debut'], earliest, latest)
    months = number('contrat_duree_mois', values['contrat_duree_mois'], 3, 12)
    review = values.get('contrat_revision', '')
    review = day_in('contrat_revision', review, earliest, latest) if review else None
    if review is not None and not start <= review <= add_months(start, months):
        reject('contrat_revision', REVIEW_OUTSIDE)
    return ContractRecord(state, start, months, review)
