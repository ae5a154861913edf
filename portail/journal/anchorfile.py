"""The anchor file: the journal's anchors, outside the databases.

``portail-journal anchor`` appends one line per anchor to the text file
named by ``portail.journal_anchor_file`` (and logs it)::

    anchor at=<time> seq=<n> head=<seal> chains=<count> digest=<sha256> seal=<hmac>

``seq`` and ``head`` name the anchor chain's last entry, ``chains`` and
``digest`` sum up the anchored head of every chain
(:func:`portail.journal.ledger.anchored_digest`), and ``seal`` is the
line's HMAC with the journal key.  When a time-stamping authority is set, a
second line holds its RFC 3161 answer over the whole anchor line::

    timestamp seq=<n> token=<base64 TimeStampResp>

The file is only ever appended to; copy it off the machine (or write it to
a mount of another one) so that rewriting the database, even with the key,
cannot rewrite it too.
"""
import base64
import os
import re
from dataclasses import dataclass

ANCHOR_RE = re.compile(r'^(anchor at=(?P<at>\S+) seq=(?P<seq>\d+) head=(?P<head>[0-9a-f]{64}) '
                       r'chains=(?P<chains>\d+) digest=(?P<digest>[0-9a-f]{64})) '
                       r'seal=(?P<seal>[0-9a-f]{64})$')
TIMESTAMP_RE = re.compile(r'^timestamp seq=(?P<seq>\d+) token=(?P<token>[A-Za-z0-9+/=]+)$')


@dataclass
class AnchorLine:
    lineno: int
    line: str
    text: str
    at: str
    seq: int
    head: str
    chains: int
    digest: str
    seal: str
    token: 'TimestampLine | None' = None


@dataclass
class TimestampLine:
    lineno: int
    seq: int
    token: bytes


@dataclass
class Unreadable:
    lineno: int


def anchor_line(key, at, seq, head, chains, digest):
    """The sealed line of an anchor."""
    text = f'anchor at={at} seq={seq} head={head} chains={chains} digest={digest}'
    return f'{text} seal={key.seal(text)}'


def timestamp_line(seq, token):
    return f'timestamp seq={seq} token={base64.b64encode(token).decode("ascii")}'


def append(path, line):
    """Append ``line`` to the file ``path`` and write it through to the disk."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, 'a', encoding='ascii') as fh:
        fh.write(line + '\n')
        fh.flush()
        os.fsync(fh.fileno())


def parse(lineno, line):
    """The :class:`AnchorLine`, :class:`TimestampLine` or :class:`Unreadable` of ``line``."""
    match = ANCHOR_RE.match(line)
    if match:
        return AnchorLine(lineno, line, match.group(1), match['at'], int(match['seq']),
                          match['head'], int(match['chains']), match['digest'], match['seal'])
    match = TIMESTAMP_RE.match(line)
    if match:
        try:
            token = base64.b64decode(match['token'], validate=True)
        except ValueError:
            return Unreadable(lineno)
        return TimestampLine(lineno, int(match['seq']), token)
    return Unreadable(lineno)


def read(path):
    """The parsed lines of the anchor file ``path`` (blank lines skipped)."""
    with open(path, encoding='ascii', errors='replace') as fh:
        return [parse(n, line.rstrip('\n')) for n, line in enumerate(fh, 1) if line.strip()]
