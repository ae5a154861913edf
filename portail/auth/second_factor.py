"""The second factor of local accounts (docs/domain.md, *Accounts and passwords*).

A time-based one-time password (TOTP, RFC 6238: six digits every 30
seconds, drawn from a secret shared with an authenticator app) and ten
recovery codes for the day the phone is lost.

Who must have one (:func:`required`): administrators and data protection
officers, and every staff account when ``portail.second_factor_for_all_staff``
is true; never a beneficiary.  An account that must have one and has none
enrols at its next local login (the step :data:`portail.auth.steps.SECOND_FACTOR`);
an account that has one types a code after its password, before any session
is opened (:mod:`portail.auth.halflogin`).

What is stored on the :class:`~portail.models.user.User`:

- ``totp_secret``: the base32 secret, in clear in the main database (as the
  password hashes are; whoever reads the database needs neither), never
  logged, never shown again after the enrolment;
- ``totp_last_step``: the 30-second step of the last code accepted, so that
  a code seen over the owner's shoulder cannot be typed again (replay);
- ``recovery_hashes``: the SHA-256 of each unused recovery code.  A code is
  16 characters drawn at random from 31 (79 bits,
  :func:`portail.auth.passwords.readable_secret`): nobody can find it back
  from its hash by trying, so a slow hash (argon2, made for passwords people
  choose) would only slow every login down, ten verifications at a time.

Every check uses the portal's clock (:func:`portail.clock.utcnow`), so the
tests move time instead of waiting; a code of the step before or after the
current one is accepted (a phone's clock a little off).
"""
import hashlib
import hmac

import pyotp
import segno

from portail.acl.roles import ADMIN, DPO, is_staff
from portail.auth.notices import told_resets
from portail.auth.passwords import readable_secret
from portail.i18n import _

#: the roles that always need a second factor
ALWAYS = frozenset({ADMIN, DPO})
#: the setting that extends it to every staff account
ALL_STAFF_SETTING = 'portail.second_factor_for_all_staff'
#: how many recovery codes an enrolment gives
RECOVERY_CODES = 10
#: the name of the service in the authenticator app
ISSUER = 'Portail'

#: what :func:`check_code` answers
ACCEPTED = 'accepted'
RECOVERY = 'recovery'
WRONG = 'wrong'
REPLAYED = 'replayed'


def required(user, settings):
    """Whether ``user`` must have a second factor: an administrator or a data
    protection officer, or any staff account when the setting says so."""
    roles = set(user.roles)
    if roles & ALWAYS:
        return True
    return bool(settings.get(ALL_STAFF_SETTING)) and is_staff(user)


def enrolled(user):
    """Whether ``user`` has a second factor."""
    return user.totp_secret is not None


def new_secret():
    """A fresh random TOTP secret (base32, 160 bits)."""
    return pyotp.random_base32()


def grouped(secret):
    """``ABCD EFGH ...``: the secret in groups of four, for typing by hand."""
    return ' '.join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret, login):
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=ISSUER)


def qr_code_data_uri(secret, login):
    """The QR code of :func:`provisioning_uri` as an SVG ``data:`` URI
    (drawn here, no script; the CSP allows ``img-src data:``)."""
    return segno.make(provisioning_uri(secret, login), error='m').svg_data_uri(
        scale=5, border=4)


def _digits(code):
    return ''.join((code or '').split())


def _matching_step(secret, code, now):
    """The step (``-1``, ``0`` or ``+1`` from ``now``'s) whose code is ``code``, or ``None``."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def totp_step(secret, code, now):
    """The step of a valid TOTP ``code`` at ``now`` (±1 step), or ``None``
    (used at the enrolment, where no step was used yet)."""
    code = _digits(code)
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    return _matching_step(secret, code, now)


def recovery_hash(code):
    """The stored form of a recovery code: the SHA-256 of its letters and
    digits in upper case (dashes, spaces and case do not count)."""
    normal = ''.join(c for c in (code or '').upper() if c.isascii() and c.isalnum())
    return hashlib.sha256(normal.encode('ascii')).hexdigest()


def new_recovery_codes():
    """Ten fresh codes ``K7MQ-2XHT-9PQR-WX4N`` and their hashes."""
    codes = [readable_secret(4) for _i in range(RECOVERY_CODES)]
    return codes, tuple(recovery_hash(c) for c in codes)


def enrol(user, secret, step, now):
    """Give ``user`` the second factor ``secret`` (``step``: that of the code
    that confirmed it); return the ten recovery codes, to show once."""
    codes, hashes = new_recovery_codes()
    user.totp_secret = secret
    user.totp_last_step = step
    user.recovery_hashes = hashes
    user.second_factor_enrolled_at = now
    return codes


def check_code(user, code, now):
    """Check ``code`` typed by ``user`` at ``now``: :data:`ACCEPTED` (a TOTP
    code, whose step is now used), :data:`RECOVERY` (a recovery code, now
    spent), :data:`REPLAYED` (a TOTP code of a step already used) or
    :data:`WRONG`."""
    digits = _digits(code)
    if len(digits) == 6 and digits.isascii() and digits.isdigit():
        step = _matching_step(user.totp_secret, digits, now)
        if step is None:
            return WRONG
        if step <= user.totp_last_step:
            return REPLAYED
        user.totp_last_step = step
        return ACCEPTED
    wanted = recovery_hash(code)
    for stored in user.recovery_hashes:
        if hmac.compare_digest(stored, wanted):
            user.recovery_hashes = tuple(h for h in user.recovery_hashes if h != stored)
            return RECOVERY
    return WRONG


def renew_recovery_codes(user):
    """Replace ``user``'s recovery codes; return the new ones, to show once."""
    codes, user.recovery_hashes = new_recovery_codes()
    return codes


def remove(user):
    """Remove ``user``'s second factor (no one is told: the owner does it)."""
    user.totp_secret = None
    user.totp_last_step = 0
    user.recovery_hashes = ()
    user.second_factor_enrolled_at = None


def reset(user, now, by):
    """An administrator (uid ``by``) removes ``user``'s second factor; the
    owner is told at their next login (:func:`reset_notices`) and enrols again
    if their role requires it."""
    remove(user)
    user.second_factor_resets = (*user.second_factor_resets, (by, now))


RESET_NOTICE = _(
    'Your second factor was reset by ${who} on ${date} at ${time}. If you did not ask for '
    'it, tell the data protection officer.')
def reset_notices(users, user, translate):
    """The messages telling ``user`` of the resets of their second factor
    since their last login (:func:`portail.auth.notices.told_resets`); each is
    told once."""
    notices = told_resets(users, user.second_factor_resets, RESET_NOTICE, translate)
    user.second_factor_resets = ()
    return notices
