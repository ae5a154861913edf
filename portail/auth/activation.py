"""One-time activation codes for beneficiary accounts (SPEC §4 "people
without internet"; issue 5).

The référent creates the account and prints a code to hand over in person;
no e-mail is needed.  Only the SHA-256 of the code is stored, with its end
of validity; a code works once.  Wrong codes count as failed logins, so the
account locks after ``portail.max_failed_logins`` attempts.
"""
import hashlib
import hmac
from datetime import timedelta

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
