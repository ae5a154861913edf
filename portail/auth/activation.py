"""One-time activation codes for beneficiary accounts (docs/domain.md, *People without internet*
without internet"; issue 5).

The référent creates the account and prints a code to hand over in person;
no e-mail is needed.  Only the SHA-256 of the code is stored, with its end
of validity; a code works once.

Only a beneficiary account with a pending code can be activated.  Every
login typed on the activation page, known or unknown, staff or beneficiary,
gets the same answer and the same counting: failures are counted under the
SHA-256 of the login typed, in :attr:`Users.activation_failures`, never in
an account's ``failed_logins``, so the page neither locks an account nor
tells which logins exist.  After ``portail.max_failed_logins`` failures no
code works for that login until the référent gives a new one.
"""
import hashlib
import hmac
from datetime import timedelta

from portail.acl.roles import BENEFICIARY
from portail.auth.passwords import readable_secret

#: days a code stays valid
VALID_DAYS = 14


def _digest(code):
    return hashlib.sha256(code.strip().upper().encode('utf-8')).hexdigest()


def issue_code(user, now):
    """Give ``user`` a new code (the previous one stops working); return it."""
    code = readable_secret(3)
    user.activation = (_digest(code), now + timedelta(days=VALID_DAYS))
    return code


def code_matches(user, code, now):
    """True if ``code`` is ``user``'s current, unexpired code."""
    activation = getattr(user, 'activation', None)
    if not activation or not code:
        return False
    digest, until = activation
    return now <= until and hmac.compare_digest(digest, _digest(code))


def can_be_activated(user, now):
    """``user`` is a beneficiary account (and nothing else) with a pending,
    unexpired code, neither locked nor disabled."""
    return (user is not None and tuple(user.roles) == (BENEFICIARY,)
            and getattr(user, 'activation', None) is not None and now <= user.activation[1]
            and not user.locked and not user.disabled)


def _login_key(users, login):
    return hashlib.sha256(users.normalise_login(login).encode('utf-8')).hexdigest()


def check_activation(users, login, code, now, limit):
    """The account that ``code`` activates for ``login``, or ``None``.

    A failure is counted under the login typed, the same way whether the
    login exists or not, up to ``limit``; once there, nothing is activated
    for it (see the module docstring).  The caller must let the transaction
    commit whatever the result, so that the count is kept.
    """
    key = _login_key(users, login)
    count = users.activation_failures.get(key, 0)
    user = users.find_login(login)
    if count < limit and can_be_activated(user, now) and code_matches(user, code, now):
        return user
    if count < limit:
        users.activation_failures[key] = count + 1
    return None


def forget_failures(users, login):
    """Start the count of ``login`` afresh (a new code, or an activation)."""
    users.activation_failures.pop(_login_key(users, login), None)
