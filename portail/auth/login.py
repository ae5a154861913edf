"""Login checks and lockout (docs/domain.md, *Accounts and passwords*).

After ``portail.max_failed_logins`` (3) consecutive failures the account is
locked until an administrator unlocks it.  A wrong second-factor code counts
as a failure too (:func:`count_failure`), and an account with a second factor
is only logged in (:func:`record_login`, which resets the count) once its
code is right: a right password alone resets nothing.  The answer never reveals whether
a login exists: unknown logins count failures too (under the SHA-256 of the
login) and lock the same way, and they spend the same hashing time.

When ``portail.local_staff_passwords`` is false, a staff account's right
password is refused too (:data:`SSO_ONLY`): agents log in through the
identity provider (:mod:`portail.auth.oidc`), beneficiaries always here.

Every attempt goes to the security log (:mod:`portail.security_log`) under
the account's uid, never under the login typed: for an unknown login no
user is logged at all (what was typed may be a password in the wrong field).
"""
import hashlib
from dataclasses import dataclass

from portail.acl.roles import is_staff
from portail.auth import passwords, second_factor
from portail.auth.notices import told_resets
from portail.clock import utcnow
from portail.i18n import _
from portail.security_log import (
    ACCOUNT_LOCKED,
    LOGIN_FAILURE,
    LOGIN_SUCCESS,
    security_event,
)

OK = 'ok'
INVALID = 'invalid'
LOCKED = 'locked'
#: a staff account, when agents log in only through the identity provider
SSO_ONLY = 'sso-only'
#: the password is right; the account's second factor must follow
#: (:mod:`portail.auth.halflogin`) before it is logged in
CODE_NEEDED = 'code-needed'

LOCKED_MESSAGE = _(
    'This account is locked after ${n} failed attempts. '
    'Ask the account administrator to unlock it.')


@dataclass
class LoginResult:
    status: str
    user: object = None


def _unknown_key(login):
    return hashlib.sha256(login.encode('utf-8')).hexdigest()


def check_login(request, users, login, password):
    """Check credentials; count failures; return a :class:`LoginResult`.

    The caller must let the transaction commit whatever the result, so that
    the failure counter is kept.
    """
    settings = request.registry.settings
    profile = settings['portail.argon2_profile']
    limit = settings['portail.max_failed_logins']
    user = users.find_login(login)
    if user is None:
        passwords.spend_verification_time(password, profile)
        key = _unknown_key(users.normalise_login(login))
        count = users.unknown_failures.get(key, 0)
        if count < limit:
            count += 1
            users.unknown_failures[key] = count
        security_event(request, LOGIN_FAILURE, user=None, reason='unknown-login')
        return LoginResult(LOCKED if count >= limit else INVALID)
    if user.locked:
        passwords.spend_verification_time(password, profile)
        security_event(request, LOGIN_FAILURE, user=user.uid, reason='locked')
        return LoginResult(LOCKED)
    if not passwords.verify(user.password_hash, password, profile):
        return LoginResult(count_failure(request, users, user, LOGIN_FAILURE, 'password'))
    if user.disabled:
        security_event(request, LOGIN_FAILURE, user=user.uid, reason='disabled')
        return LoginResult(INVALID)
    if not local_password_allowed(settings, user):
        # told only to whoever knows the password: the account's kind stays hidden
        security_event(request, LOGIN_FAILURE, user=user.uid, reason=SSO_ONLY)
        user.failed_logins = 0
        return LoginResult(SSO_ONLY)
    if passwords.needs_rehash(user.password_hash, profile):
        user.password_hash = passwords.hash_password(password, profile)
    if second_factor.enrolled(user):
        return LoginResult(CODE_NEEDED, user)
    record_login(request, user)
    return LoginResult(OK, user)


def count_failure(request, users, user, event, reason):
    """Count a failed attempt of ``user`` (a wrong password, or a wrong second
    factor code), logged as ``event`` with ``reason``; lock the account at the
    limit.  Return :data:`LOCKED` or :data:`INVALID`."""
    limit = request.registry.settings['portail.max_failed_logins']
    user.failed_logins += 1
    security_event(request, event, user=user.uid, reason=reason)
    if user.failed_logins >= limit:
        users.set_locked(user, True)
        security_event(request, ACCOUNT_LOCKED, user=user.uid, reason='failed-logins')
        return LOCKED
    return INVALID


def record_login(request, user):
    """``user`` proved who they are (password, and second factor if they
    have one): log it, reset the failure count and remember when and from
    where, for the welcome of the next login."""
    security_event(request, LOGIN_SUCCESS, user=user.uid)
    user.failed_logins = 0
    user.previous_login = user.last_login
    user.last_login = (utcnow(request.registry), request.remote_addr or '')


def local_password_allowed(settings, user):
    """May ``user`` log in with a local password?  Beneficiaries always may;
    staff accounts unless ``portail.local_staff_passwords`` is false (they
    then log in through the identity provider, :mod:`portail.auth.oidc`)."""
    return settings['portail.local_staff_passwords'] or not is_staff(user)


def set_password(user, password, now, profile, must_change=False):
    """Store a new password for ``user`` and rotate its session."""
    user.password_hash = passwords.hash_password(password, profile)
    user.password_changed_at = now
    user.must_change_password = must_change
    user.privileges_changed()


def reset_password(user, password, now, profile, by):
    """An administrator (uid ``by``) gives ``user`` a temporary password; the
    owner is told who and when at their next login (:func:`reset_notices`)."""
    set_password(user, password, now, profile, must_change=True)
    user.password_resets = (*user.password_resets, (by, now))


RESET_NOTICE = _(
    'Your password was reset by ${who} on ${date} at ${time}. If you did not ask for it, '
    'tell the data protection officer.')


def reset_notices(users, user, translate):
    """The messages telling ``user`` of the resets of their password since
    their last login (:func:`portail.auth.notices.told_resets`); each is told once."""
    notices = told_resets(users, user.password_resets, RESET_NOTICE, translate)
    user.password_resets = ()
    return notices
