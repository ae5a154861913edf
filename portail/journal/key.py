"""The journal key: the secret every journal entry is sealed with.

Each entry of the access journal carries an HMAC-SHA-256 of its text
(:meth:`JournalKey.seal`), keyed with 32 random bytes kept in a file named
by ``portail.journal_key_file``, outside the databases and so outside the
backups ``make backup`` makes of them.  Whoever can write ``Journal.fs``
but does not hold the key can neither add, alter nor move an entry without
``portail-journal verify`` seeing it.

``portail-init`` creates the file (mode 0600) when it is missing
(:func:`create_key`); the portal refuses to start on an initialised journal
when the file is missing or holds another key than the one the journal was
written with (:func:`check_journal_key`), rather than write entries nobody
could verify.
"""
import hashlib
import hmac
import logging
import os
import secrets
import stat

import transaction
from pyramid.events import ApplicationCreated

log = logging.getLogger(__name__)

SETTING = 'portail.journal_key_file'
#: the key file holds this many random bytes, written as hexadecimal digits
KEY_BYTES = 32


class JournalKeyError(Exception):
    """The journal key cannot be used.  At start-up it becomes a
    :class:`SystemExit`, so that a command or ``pserve`` stops on its one-line
    message, without a traceback."""


class JournalKey:
    """Seals and checks the texts of journal entries with one secret."""

    def __init__(self, secret):
        if len(secret) != KEY_BYTES:
            raise ValueError(f'a journal key has {KEY_BYTES} bytes')
        self._secret = secret

    def seal(self, text):
        """The HMAC-SHA-256 of ``text`` (64 hexadecimal digits)."""
        return hmac.new(self._secret, text.encode('utf-8'), hashlib.sha256).hexdigest()

    def check(self, text, seal):
        """Whether ``seal`` is the seal of ``text`` (in constant time)."""
        return isinstance(seal, str) and hmac.compare_digest(self.seal(text), seal)

    @property
    def key_id(self):
        """A fingerprint that names the key without revealing it (the journal
        records it, so that a wrong key file is refused at start-up)."""
        return self.seal('portail journal key id')[:16]


def key_path(settings):
    path = settings.get(SETTING) or ''
    if not path:
        raise JournalKeyError(f'{SETTING} is not set: name the journal key file in the ini file.')
    return path


def load_key(path):
    """The :class:`JournalKey` of the file ``path``."""
    try:
        with open(path, encoding='ascii') as fh:
            text = fh.read().strip()
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise JournalKeyError(
            f'The journal key file {path} is missing: put back its saved copy '
            f'(or, for a new installation, run portail-init to create it).') from None
    except (OSError, UnicodeDecodeError) as exc:
        raise JournalKeyError(f'The journal key file {path} cannot be read: {exc}') from None
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b''
    if len(secret) != KEY_BYTES:
        raise JournalKeyError(f'The journal key file {path} does not hold a journal key '
                              f'({2 * KEY_BYTES} hexadecimal digits).')
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning('The journal key file %s is readable by other accounts: chmod 600 it', path)
    return JournalKey(secret)


def create_key(path):
    """Write a new random key to ``path`` (mode 0600) unless the file exists;
    return whether it was created."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, 'w', encoding='ascii') as fh:
        fh.write(secrets.token_hex(KEY_BYTES) + '\n')
    return True


def journal_key_of(registry):
    """The key of the portal's journal, read once from the file of the settings."""
    key = getattr(registry, 'portail_journal_key', None)
    if key is None:
        key = registry.portail_journal_key = load_key(key_path(registry.settings or {}))
    return key


def check_journal_key(registry):
    """Refuse to start when the journal holds entries but the key file is
    missing, unreadable, or not the key the journal was written with."""
    from portail.journal.model import JOURNAL_DB, ROOT_KEY

    db = getattr(registry, '_zodb_databases', {}).get(JOURNAL_DB)
    if db is None:
        return
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        journal = conn.root().get(ROOT_KEY)
        if journal is None:  # not initialised yet: portail-init creates the key
            return
        key = journal_key_of(registry)
        if journal.key_id is not None and journal.key_id != key.key_id:
            raise JournalKeyError(
                f'The journal key file {key_path(registry.settings)} is not the key this '
                f'journal was written with: put back the saved copy of the right one.')
    finally:
        tm.abort()
        conn.close()


def _on_application_created(event):
    registry = event.app.registry
    try:
        check_journal_key(registry)
    except JournalKeyError as error:
        for db in registry._zodb_databases.values():  # the portal does not start: let go
            db.close()
        raise SystemExit(str(error)) from None


def includeme(config):
    config.add_subscriber(_on_application_created, ApplicationCreated)
