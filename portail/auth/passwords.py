"""Password hashing (argon2id) and the password rules of docs/domain.md, *Accounts and passwords*.

Rules: at least ``portail.password_min_length`` characters (12), not a
common password (``data/common-passwords.txt``, also after stripping the
digits and signs people add around a common word), not the login, hard
enough to guess (:func:`strength_problems`: zxcvbn's estimate, fed with the
login and the person's names and aware of the AZERTY keyboard, must reach
:data:`MIN_SCORE`; the person's
name or login with only digits and signs around it is refused too), not the
current password.

Passwords are never stripped, on any form: a secret is taken exactly as
typed, spaces included (the login form, the password change form, the
activation form and ``portail-create-admin`` all agree on this).
"""
import functools
import os
import re
import secrets
import threading
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from portail.auth import keyboards
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


#: zxcvbn's score (0 to 4) a password must reach: 3 means about 10^10 guesses
MIN_SCORE = 3
#: zxcvbn refuses longer passwords; the estimate is made on their beginning
ZXCVBN_MAX_LENGTH = 72
#: zxcvbn keeps the user inputs in a module-level dictionary while it works:
#: two threads estimating at once would see each other's names
_ZXCVBN_LOCK = threading.Lock()
keyboards.install()  # walks along a French keyboard are patterns too

TOO_GUESSABLE = _('This password is too easy to guess.')
ADVICE = _('Choose instead a passphrase of four or more words with no link between them, '
           'or add such words to this one.')
PERSONAL = _('It is built on your login or your name.')
COMMON_BASE = _('It is built on a very common password.')
NAME_BASE = _('It is built on a common first name or surname.')
WORD_BASE = _('It rests on a single common word.')
PREDICTABLE = _('It is too predictable.')
#: why a weak password is weak, by the kind of pattern zxcvbn found in it
PATTERN_REASONS = {
    'repeat': _('It repeats the same characters.'),
    'sequence': _('It follows a sequence such as abcd or 6789.'),
    'spatial': _('It follows a row of keys on the keyboard.'),
    'date': _('It contains a date or a year, which is easy to guess.'),
    'regex': _('It contains a date or a year, which is easy to guess.'),
}
DICTIONARY_REASONS = {
    'user_inputs': PERSONAL,
    'passwords': COMMON_BASE,
    'surnames': NAME_BASE,
    'male_names': NAME_BASE,
    'female_names': NAME_BASE,
}

_WORD_SEPARATORS = re.compile(r"[\s\-'’.]+")


def personal_words(login=None, names=()):
    """The lowercased words that belong to the person: login, full name and its parts."""
    words = []
    for text in (login, *names):
        if not text:
            continue
        text = text.strip().lower()
        words.append(text)
        words.extend(w for w in _WORD_SEPARATORS.split(text) if len(w) >= 2)
    return list(dict.fromkeys(words))


def _estimate(password, personal):
    with _ZXCVBN_LOCK:
        return zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=personal)


def strength_problems(password, login=None, names=()):
    """Return why ``password`` is too easy to guess (translation strings), or ``[]``.

    The list opens with :data:`TOO_GUESSABLE`, gives the reasons found (our
    own messages, chosen by the kind of pattern zxcvbn matched; its English
    feedback is not shown) and ends with :data:`ADVICE`.
    """
    personal = personal_words(login, names)
    core = _DECORATION.sub('', password.lower())
    reasons = []
    if core and core in personal:
        reasons.append(PERSONAL)
    estimate = _estimate(password, personal)
    if estimate['score'] >= MIN_SCORE and not reasons:
        return []
    words = False
    for match in estimate['sequence']:
        pattern = match['pattern']
        if pattern == 'dictionary':
            reason = DICTIONARY_REASONS.get(match['dictionary_name'])
            words = words or reason is None
        else:
            reason = PATTERN_REASONS.get(pattern)
        if reason is not None and reason not in reasons:
            reasons.append(reason)
    if not reasons:
        reasons.append(WORD_BASE if words else PREDICTABLE)
    return [TOO_GUESSABLE, *reasons, ADVICE]


def password_problems(password, min_length, login=None, current_hash=None, profile='default',
                      names=()):
    """Return the list of reasons (translation strings) why ``password`` is refused.

    ``names`` are the person's names (full name, first and last names): with
    the login, they are what an attacker tries first.  The strength estimate
    runs once the simpler rules pass, so one answer does not pile up advice.
    """
    problems = []
    if len(password) < min_length:
        problems.append(_('The password must have at least ${n} characters.',
                          mapping={'n': min_length}))
    if is_common(password):
        problems.append(_('This password is too common: choose another one.'))
    if login and login.lower() in password.lower():
        problems.append(_('The password must not contain the login.'))
    if not problems:
        problems.extend(strength_problems(password, login, names))
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


#: why a password must be changed (:func:`change_reason`)
RESET = 'reset'
EXPIRED = 'expired'


def change_reason(user, settings, now):
    """Return :data:`RESET`, :data:`EXPIRED` or ``None`` for ``user`` at ``now``."""
    if user.must_change_password or user.password_changed_at is None:
        return RESET
    max_age = settings['portail.password_max_age_days']
    if max_age and not user.password_never_expires:
        if now - user.password_changed_at > timedelta(days=max_age):
            return EXPIRED
    return None
