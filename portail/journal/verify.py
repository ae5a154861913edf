"""Checking, anchoring and purging the journal (``portail-journal``)."""
from dataclasses import dataclass

from portail.journal.model import entry_hash


@dataclass
class Broken:
    chain: str
    seq: int
    reason: str


def verify_chain(chain):
    """Return the first :class:`Broken` link of ``chain``, or ``None``."""
    previous = chain.base_hash
    expected = chain.base_seq + 1
    for seq in chain.entries.keys():
        try:
            entry = chain.entry(seq)
        except (ValueError, TypeError, KeyError):  # not the JSON of an entry any more
            return Broken(chain.key, seq, 'entry altered')
        if seq != expected or entry.seq != seq:
            return Broken(chain.key, expected, 'missing or reordered entry')
        if entry.previous != previous:
            return Broken(chain.key, seq, 'link to the previous entry broken')
        if entry_hash(entry.payload()) != entry.hash:
            return Broken(chain.key, seq, 'entry altered')
        previous = entry.hash
        expected += 1
    if chain.length != expected - 1 or chain.head != previous:
        return Broken(chain.key, expected, 'head does not match the last entry')
    return None


def anchor_payload(journal):
    """``key:length:head`` of every chain that grew since the last anchor."""
    items = []
    for key, chain in journal.chains.items():
        if journal.anchored.get(key) != chain.length:
            items.append(f'{key}:{chain.length}:{chain.head}')
            journal.anchored[key] = chain.length
    return ';'.join(items)


def verify(journal):
    """Verify every chain, then the anchors; return the first broken link or ``None``."""
    for chain in journal.chains.values():
        broken = verify_chain(chain)
        if broken is not None:
            return broken
    broken = verify_chain(journal.anchors)
    if broken is not None:
        return broken
    for entry in journal.anchors.values():
        for item in entry.detail.split(';') if entry.detail else ():
            key, length, head = item.rsplit(':', 2)
            chain = journal.chains.get(key)
            length = int(length)
            if chain is None or chain.length < length:
                return Broken(key, length, 'chain shorter than anchored')
            at = chain.entry(length)
            anchored = at.hash if at is not None else (
                chain.base_hash if length == chain.base_seq else None)
            if anchored is not None and anchored != head:
                return Broken(key, length, 'entry differs from the anchored head')
    return None


def anchor(journal, at):
    """Append the heads of every chain to the anchor chain."""
    return journal.anchors.append(at.isoformat(), 'system', '', 'anchors', 'anchor', 0,
                                  anchor_payload(journal))


def purge(journal, before):
    """Remove entries dated before ``before`` (an aware datetime); return the count."""
    limit = before.isoformat()
    removed = 0
    for chain in journal.chains.values():
        for seq in list(chain.entries.keys()):
            entry = chain.entry(seq)
            if entry.at >= limit:
                break
            chain.base_seq, chain.base_hash = seq, entry.hash
            del chain.entries[seq]
            removed += 1
    return removed


