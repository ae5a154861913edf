"""Password hashing (argon2id) and the password rules of SPEC §6.

Rules: at least ``portail.password_min_length`` characters (12), not a
common password (``data/common-passwords.txt``, also after stripping the
digits and signs people add around a common word), not the login, not the
current password.
"""
import functools
import os
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portail.i18n import _

COMMON_PASSWORDS_FILE = os.path.join(os.path.dirname(__file__), '..', 'data',
                                     'common-passwords.txt')

#: argon2id parameters; "fast" is for the test suite only
PROFILES = {
    'default': {},  # argon2-cffi's RFC 9106 "low memory" profile (argon2id)
    'fast': {'time_cost': 1, 'memory_cost': 8, 'parallelism': 1},
}


@functools.cache
def hasher(profile='default'):
    return PasswordHasher(**PROFILES[profile])


@functools.cache
def common_passwords():
    with open(COMMON_PASSWORDS_FILE, encoding='utf-8') as fh:
        return frozenset(
            line.strip() for line in fh if line.strip() and not line.startswith('#'))


_DECORATION = re.compile(r'^[\W\d_]+|[\W\d_]+$')


def is_common(password):
    lowered = password.lower()
    core = _DECORATION.sub('', lowered)
    common = common_passwords()
    return lowered in common or (len(core) >= 4 and core in common)


def password_problems(password, min_length, login=None, current_hash=None, profile='default'):
    """Return the list of reasons (translation strings) why ``password`` is refused."""
    problems = []
    if len(password) < min_length:
        problems.append(_('The password must have at least ${n} characters.',
                          mapping={'n': min_length}))
    if is_common(password):
        problems.append(_('This password is too common: choose another one.'))
    if login and login.lower() in password.lower():
        problems.append(_('The password must not contain the login.'))
    if current_hash and verify(current_hash, password, profile):
        problems.append(_('The new password must differ from the current one.'))
    return problems


def hash_password(password, profile='default'):
    return hasher(profile).hash(password)


def verify(password_hash, password, profile='default'):
    """Return True if ``password`` matches ``password_hash``."""
    if not password_hash:
        return False
    try:
        return hasher(profile).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash, profile='default'):
    return hasher(profile).check_needs_rehash(password_hash)


@functools.cache
def _dummy_hash(profile):
    return hash_password('not-a-real-password-for-timing', profile)


def spend_verification_time(password, profile='default'):
    """Verify against a dummy hash, so unknown logins take as long as known ones."""
    verify(_dummy_hash(profile), password, profile)


#: letters and digits that cannot be mistaken for one another when read aloud or typed
READABLE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'


def readable_secret(groups):
    """A random secret in groups of four, e.g. ``K7MQ-2XHT-9PQR`` (about 20 bits a group)."""
    return '-'.join(''.join(secrets.choice(READABLE_ALPHABET) for _ in range(4))
                    for _ in range(groups))
