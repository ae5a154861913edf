"""Checking the journal (``portail-journal verify``).

:func:`verify` holds the journal database to its key and to its anchor
chain (:mod:`portail.journal.ledger`): every entry sealed with the key
(or, before the take-over, hashed), numbered and linked to the previous
one; every chain starting where the portal's own purges left it; no chain
shorter than anchored or gone without an erasure record.
:func:`verify_anchor_file` then holds the anchor chain to the anchor file
kept outside the database, and the file to its RFC 3161 timestamps.
"""
from dataclasses import dataclass

from portail.journal import anchorfile
from portail.journal.ledger import (
    LedgerError,
    anchored_digest,
    head_at,
    legacy_length,
    replay,
    taken_over,
)
from portail.journal.model import ANCHORS, GENESIS, canonical, entry_hash

#: the :attr:`Broken.chain` of a problem of the anchor file
ANCHOR_FILE = 'anchor file'
#: the :attr:`Broken.chain` of a problem of the whole journal
JOURNAL = 'journal'

NOT_TAKEN_OVER = ('entries written without the journal key and never taken over: '
                  'run portail-init')


@dataclass
class Broken:
    chain: str
    seq: int
    reason: str

    def __str__(self):
        if self.chain == ANCHOR_FILE:
            return f'{ANCHOR_FILE}, line {self.seq}: {self.reason}'
        if self.chain == JOURNAL:
            return f'{JOURNAL}: {self.reason}'
        return f'chain {self.chain}, entry {self.seq}: {self.reason}'


def verify_chain(chain, key, legacy=0):
    """Return the first :class:`Broken` link of ``chain``, or ``None``.
    Its first ``legacy`` entries are checked against their SHA-256, the
    others against their seal with ``key``."""
    previous = chain.base_hash
    expected = chain.base_seq + 1
    for seq in chain.entries.keys():
        try:
            entry = chain.entry(seq)
            payload = entry.payload()
        except (ValueError, TypeError, KeyError, AttributeError):  # not an entry any more
            return Broken(chain.key, seq, 'entry altered')
        if seq != expected or entry.seq != seq:
            return Broken(chain.key, expected, 'missing or reordered entry')
        if entry.previous != previous:
            return Broken(chain.key, seq, 'link to the previous entry broken')
        if seq <= legacy:
            if entry_hash(payload) != entry.hash:
                return Broken(chain.key, seq, 'entry altered')
        else:
            if not key.check(canonical(payload), entry.hash):
                if entry_hash(payload) == entry.hash:
                    return Broken(chain.key, seq, 'entry not sealed with the journal key')
                return Broken(chain.key, seq, 'entry altered')
            if entry.chain != chain.key:
                return Broken(chain.key, seq, 'entry moved from another chain')
        previous = entry.hash
        expected += 1
    if chain.length != expected - 1 or chain.head != previous:
        return Broken(chain.key, expected, 'head does not match the last entry')
    return None


def verify(journal, key, progress=None):
    """Verify the anchor chain, then every chain against it; return the first
    :class:`Broken` link or ``None``.  ``progress`` (a
    :class:`portail.scripts.progress.Progress`) counts the chains verified."""
    if journal.key_id is not None and journal.key_id != key.key_id:
        return Broken(JOURNAL, 0, "the key file is not this journal's key")
    ledger, broken = _anchor_chain(journal, key)
    if broken is not None:
        return broken
    taken = ledger.take_over_seq is not None
    for chain_key, chain in journal.chains.items():
        if chain_key == ANCHORS or chain.key != chain_key:
            return Broken(chain_key, 0, 'chain stored under another key')
        if taken:
            legacy, legacy_head = ledger.legacy.get(chain_key, (0, None))
        else:
            legacy, legacy_head = legacy_length(chain), None
            if legacy > chain.base_seq:
                return Broken(chain_key, chain.base_seq + 1, NOT_TAKEN_OVER)
        base = ledger.bases.get(chain_key, (0, GENESIS))
        if (chain.base_seq, chain.base_hash) != base:
            return Broken(chain_key, chain.base_seq,
                          'start of the chain moved without a purge record')
        broken = verify_chain(chain, key, legacy)
        if broken is not None:
            return broken
        if legacy > chain.base_seq and head_at(chain, legacy) != legacy_head:
            return Broken(chain_key, legacy, 'entry differs from the take-over record')
        broken = _check_anchored(chain, ledger.anchored.get(chain_key))
        if broken is not None:
            return broken
        if progress is not None:
            progress.advance()
    for chain_key in sorted({*ledger.anchored, *ledger.bases, *ledger.legacy} - {ANCHORS}):
        if chain_key not in journal.chains:
            return Broken(chain_key, 0, 'chain deleted without an erasure record')
    return None


def _anchor_chain(journal, key):
    """``(ledger, broken)`` of the anchor chain itself."""
    anchors = journal.anchors
    keyed_from = anchors.keyed_from if anchors.keyed_from is not None else anchors.length + 1
    if (anchors.base_seq, anchors.base_hash) != (0, GENESIS):
        return None, Broken(ANCHORS, anchors.base_seq, 'start of the chain moved')
    broken = verify_chain(anchors, key, keyed_from - 1)
    if broken is not None:
        return None, broken
    try:
        ledger = replay(anchors, keyed_from)
    except LedgerError as error:
        return None, Broken(ANCHORS, error.seq, error.reason)
    if taken_over(journal):
        if ledger.legacy.get(ANCHORS, (0, None))[0] != keyed_from - 1:
            return None, Broken(ANCHORS, keyed_from, 'entry differs from the take-over record')
    elif anchors.length:
        return None, Broken(ANCHORS, 1, NOT_TAKEN_OVER)
    return ledger, None


def _check_anchored(chain, anchored):
    if anchored is None:
        return None
    length, head = anchored
    if chain.length < length:
        return Broken(chain.key, length, 'chain shorter than anchored')
    at = head_at(chain, length)
    if at is not None and at != head:
        return Broken(chain.key, length, 'entry differs from the anchored head')
    return None


@dataclass
class AnchorCheck:
    """What :func:`verify_anchor_file` found besides a broken link."""

    last: anchorfile.AnchorLine | None = None
    stamped: anchorfile.AnchorLine | None = None
    stamped_at: object = None


def verify_anchor_file(journal, key, path, ca_file=None):
    """Hold the anchor chain to the anchor file ``path``, and the file to its
    latest timestamp if ``ca_file`` (the time-stamping authority's CA
    certificates) is given.  Return ``(broken or None, AnchorCheck)``.

    Every line must bear its seal and match the anchor chain's entry it
    names; the last one must also match the chains' heads as the anchor
    chain recorded them then (:func:`anchored_digest`), and no anchor
    recorded as written to the file may be missing from it.  The latest
    timestamped line must match its token: whoever holds the key may
    rewrite the database and the file, not obtain a token for an old time.
    """
    from portail.journal import timestamp

    check = AnchorCheck()
    anchors = journal.anchors
    try:
        lines = anchorfile.read(path)
    except FileNotFoundError:
        lines = []
    keyed_from = anchors.keyed_from if anchors.keyed_from is not None else anchors.length + 1
    previous = 0
    for line in lines:
        if isinstance(line, anchorfile.Unreadable):
            return Broken(ANCHOR_FILE, line.lineno, 'line unreadable'), check
        if isinstance(line, anchorfile.TimestampLine):
            if check.last is None or line.seq != check.last.seq:
                return Broken(ANCHOR_FILE, line.lineno, 'timestamp of no anchor line'), check
            check.last.token = line
            check.stamped = check.last
            continue
        if not key.check(line.text, line.seal):
            return Broken(ANCHOR_FILE, line.lineno, 'line altered (its seal is wrong)'), check
        if line.seq <= previous:
            return Broken(ANCHOR_FILE, line.lineno, 'anchors out of order'), check
        if head_at(anchors, line.seq) != line.head:
            reason = ('the anchor chain is shorter than this anchor' if line.seq > anchors.length
                      else 'the anchor chain differs from this anchor')
            return Broken(ANCHOR_FILE, line.lineno, reason), check
        previous = line.seq
        check.last = line
    try:
        ledger = replay(anchors, keyed_from)
    except LedgerError as error:
        return Broken(ANCHORS, error.seq, error.reason), check
    if ledger.last_to_file > previous:
        return Broken(ANCHOR_FILE, len(lines),
                      f'anchor {ledger.last_to_file} of the anchor chain is missing from the '
                      f'file'), check
    if check.last is not None:
        at_line = replay(anchors, keyed_from, upto=check.last.seq)
        count, digest = anchored_digest(
            (k, f'{length}:{head}') for k, (length, head) in sorted(at_line.anchored.items()))
        if (count, digest) != (check.last.chains, check.last.digest):
            return Broken(ANCHOR_FILE, check.last.lineno,
                          'the chains differ from this anchor'), check
    if ca_file:
        if check.stamped is None:
            if check.last is None:
                return None, check
            return Broken(ANCHOR_FILE, check.last.lineno, 'no timestamp in the file'), check
        token = check.stamped.token
        try:
            check.stamped_at = timestamp.check_token(
                token.token, check.stamped.line.encode('ascii'), ca_file)
        except timestamp.TimestampError as error:
            return Broken(ANCHOR_FILE, token.lineno,
                          f'timestamp does not match its anchor ({error})'), check
    return None, check
