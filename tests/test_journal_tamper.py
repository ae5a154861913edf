"""Forging the journal (issue 14, part 2): someone who can write Journal.fs
changes it with the ZODB API, as an attacker would, then
``portail-journal verify`` runs.  Without the key every forgery is caught
in the database; with the key (read off the machine's disk) the anchor
file and its RFC 3161 timestamp, from a real local TSA, catch it.  The
portal's own purge and erasure are not reported."""
import contextlib
import hashlib
import io
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import ZODB
from ZODB.FileStorage import FileStorage

from portail.journal import anchorfile
from portail.journal.key import JournalKey, load_key
from portail.journal.model import ROOT_KEY
from portail.scripts import application, init, journal, portal_root, retention
from tests.test_scripts import INI
from tests.tsa import LocalTSA

ANCHORING = """\
portail.journal_anchor_file = {var}/journal-anchors.txt
portail.journal_tsa_url = {url}
portail.journal_tsa_ca_file = {ca_file}
"""


@pytest.fixture(scope='module')
def tsa(tmp_path_factory):
    server = LocalTSA(tmp_path_factory.mktemp('tsa')).start()
    yield server
    server.stop()


class Site:
    """A portal installation on FileStorage: its ini file and var folder."""

    def __init__(self, folder, tsa):
        self.var = Path(folder) / 'var'
        self.var.mkdir(exist_ok=True)
        self.ini = str(Path(folder) / 'portail.ini')
        Path(self.ini).write_text(INI.format(var=self.var) + ANCHORING.format(
            var=self.var, url=tsa.url, ca_file=tsa.ca_file))
        self.anchor_file = self.var / 'journal-anchors.txt'

    def run(self, command, *args):
        """``(exit status, output)`` of a command's ``main``."""
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            status = command.main([self.ini, *args])
        return status, out.getvalue()

    def verify(self):
        return self.run(journal, 'verify')

    @contextlib.contextmanager
    def journal(self):
        """The journal, written with the ZODB API alone (committed at the end)."""
        db = ZODB.DB(FileStorage(str(self.var / 'Journal.fs')))
        try:
            with db.transaction() as conn:
                yield conn.root()[ROOT_KEY]
        finally:
            db.close()

    def key(self):
        """The journal key, as an insider who read the key file holds it."""
        return load_key(str(self.var / 'journal.key'))


@pytest.fixture(scope='module')
def pristine(tmp_path_factory, tsa):
    """An initialised site with the demo département, anchored and timestamped."""
    site = Site(tmp_path_factory.mktemp('pristine'), tsa)
    init.main([site.ini, '--demo'])
    assert site.run(journal, 'anchor')[0] == 0
    return site


@pytest.fixture
def site(pristine, tmp_path, tsa):
    """A copy of the pristine site, for one test to damage."""
    shutil.copytree(pristine.var, tmp_path / 'var')
    copy = Site(tmp_path, tsa)
    assert copy.verify() == (0, copy.verify()[1]) and 'journal intact' in copy.verify()[1]
    return copy


# -- an attacker's tools: they write what Chain.append wrote before the key --


def plain(text):
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def payload_of(stored):
    return json.loads(stored[64:])


def store(payload, seal):
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return seal(text) + text


def reseal(chain, start, seal=plain):
    """Rewrite entries ``start``... of ``chain`` so that each links to the one
    before it, sealed with ``seal``; set the length and head accordingly."""
    previous = chain.base_hash if start == chain.base_seq + 1 else chain.entries[start - 1][:64]
    for seq in list(chain.entries.keys(min=start)):
        payload = dict(payload_of(chain.entries[seq]), previous=previous)
        chain.entries[seq] = store(payload, seal)
        previous = chain.entries[seq][:64]
    chain.length = chain.entries.maxKey() if len(chain.entries) else chain.base_seq
    chain.head = previous


def cover_anchor_records(journal, chain_key, value, seal=plain):
    """Make the anchor chain's records say ``chain_key:value`` (or nothing of
    the chain if ``value`` is ``None``), resealing from the first record changed."""
    anchors = journal.anchors
    first = None
    for seq in list(anchors.entries.keys()):
        payload = payload_of(anchors.entries[seq])
        items = payload['detail'].split(';') if payload['detail'] else []
        kept = [i for i in items if i.rsplit(':', 2)[0] != chain_key]
        if len(kept) == len(items):
            continue
        if value is not None and payload['action'] == 'anchor':
            kept.append(f'{chain_key}:{value}')
        anchors.entries[seq] = store(dict(payload, detail=';'.join(kept)), seal)
        first = seq if first is None else first
    if first is not None:
        reseal(anchors, first, seal)
    if value is None:
        journal.anchored.pop(chain_key, None)
    else:
        journal.anchored[chain_key] = value


def a_dossier_chain(journal):
    """The key of the longest chain of a dossier."""
    return max((c.length, k) for k, c in journal.chains.items() if not k.startswith('~'))[1]


def broken(output):
    lines = [line for line in output.splitlines() if line.startswith('BROKEN: ')]
    assert len(lines) == 1, output
    return lines[0]


# -- the five forgeries of the issue, without the key --


def test_an_entry_appended_without_the_key_is_caught(site):
    with site.journal() as journal:
        key = a_dossier_chain(journal)
        chain = journal.chains[key]
        forged = {'seq': chain.length + 1, 'at': '2026-11-02T09:00:00+00:00', 'user': 'nobody',
                  'dossier': key, 'object': 'dossier', 'action': 'read', 'level': 2,
                  'detail': '', 'previous': chain.head}
        chain.entries[chain.length + 1] = store(forged, plain)
        chain.length += 1
        chain.head = chain.entries[chain.length][:64]
        seq = chain.length
    status, out = site.verify()
    assert status == 1
    assert broken(out) == f'BROKEN: chain {key}, entry {seq}: entry not sealed with the journal key'


def test_an_entry_appended_with_another_key_is_caught(site):
    with site.journal() as journal:
        key = a_dossier_chain(journal)
        chain = journal.chains[key]
        chain.append(JournalKey(os.urandom(32)), '2026-11-02T09:00:00+00:00', 'nobody', key,
                     'dossier', 'read', 2, '')
        seq = chain.length
    assert broken(site.verify()[1]) == f'BROKEN: chain {key}, entry {seq}: entry altered'


def test_cutting_the_last_entry_and_fixing_the_head_is_caught(site):
    with site.journal() as journal:
        key = a_dossier_chain(journal)
        chain = journal.chains[key]
        del chain.entries[chain.length]
        reseal(chain, chain.length)  # the new last entry, unchanged: length and head fixed
        cover_anchor_records(journal, key, f'{chain.length}:{chain.head}')
    status, out = site.verify()
    assert status == 1 and broken(out).startswith('BROKEN: chain anchors, entry ')
    assert broken(out).endswith(': entry not sealed with the journal key')


def test_cutting_an_anchored_entry_alone_is_caught(site):
    with site.journal() as journal:
        key = a_dossier_chain(journal)
        chain = journal.chains[key]
        length = chain.length
        del chain.entries[length]
        chain.length, chain.head = length - 1, chain.entries[length - 1][:64]
    assert broken(site.verify()[1]) == (
        f'BROKEN: chain {key}, entry {length}: chain shorter than anchored')


def test_dropping_the_first_entries_by_moving_the_base_is_caught(site):
    with site.journal() as journal:
        key = a_dossier_chain(journal)
        chain = journal.chains[key]
        second = chain.entries[2]
        del chain.entries[1]
        del chain.entries[2]
        chain.base_seq, chain.base_hash = 2, second[:64]
    assert broken(site.verify()[1]) == (
        f'BROKEN: chain {key}, entry 2: start of the chain moved without a purge record')


def test_deleting_a_chain_is_caught(site):
    with site.journal() as journal:
        key = a_dossier_chain(journal)
        del journal.chains[key]
    assert broken(site.verify()[1]) == (
        f'BROKEN: chain {key}, entry 0: chain deleted without an erasure record')


def test_deleting_a_chain_and_its_anchor_records_is_caught(site):
    with site.journal() as journal:
        key = a_dossier_chain(journal)
        del journal.chains[key]
        cover_anchor_records(journal, key, None)
    out = broken(site.verify()[1])
    assert out.startswith('BROKEN: chain anchors, entry ')
    assert out.endswith(': entry not sealed with the journal key')


def test_rewriting_a_chain_and_its_anchors_without_the_key_is_caught(site):
    with site.journal() as journal:
        key = a_dossier_chain(journal)
        chain = journal.chains[key]
        chain.entries[1] = store(dict(payload_of(chain.entries[1]), user='someone-else'), plain)
        reseal(chain, 1)
        cover_anchor_records(journal, key, f'{chain.length}:{chain.head}')
    out = broken(site.verify()[1])
    assert out.startswith('BROKEN: chain ')
    assert out.endswith(': entry not sealed with the journal key')


# -- with the key: only what left the database can tell --


def rewrite_with_the_key(site):
    """Change a chain's first entry, and reseal it and the anchor chain with
    the real key, as an insider who read the key file could."""
    key = site.key()
    with site.journal() as journal:
        chain_key = a_dossier_chain(journal)
        chain = journal.chains[chain_key]
        chain.entries[1] = store(dict(payload_of(chain.entries[1]), user='someone-else'),
                                 key.seal)
        reseal(chain, 1, key.seal)
        cover_anchor_records(journal, chain_key, f'{chain.length}:{chain.head}', key.seal)
    return key


def test_rewriting_with_the_key_is_caught_by_the_anchor_file(site):
    rewrite_with_the_key(site)
    assert broken(site.verify()[1]) == (
        'BROKEN: anchor file, line 1: the anchor chain differs from this anchor')


def test_rewriting_the_anchor_file_too_is_caught_by_the_timestamp(site):
    from portail.journal.ledger import anchored_digest, replay

    key = rewrite_with_the_key(site)
    [line, stamp] = anchorfile.read(site.anchor_file)
    with site.journal() as journal:  # the line the rewritten database would have given
        anchors = journal.anchors
        ledger = replay(anchors, anchors.keyed_from)
        count, digest = anchored_digest(
            (k, f'{length}:{head}') for k, (length, head) in sorted(ledger.anchored.items()))
        forged = anchorfile.anchor_line(key, line.at, line.seq, anchors.entry(line.seq).hash,
                                        count, digest)
    site.anchor_file.write_text(f'{forged}\n{stamp_text(site)}\n')
    assert broken(site.verify()[1]) == (
        'BROKEN: anchor file, line 2: timestamp does not match its anchor '
        '(Mismatch between messages)')


def stamp_text(site):
    return site.anchor_file.read_text().splitlines()[1]


def test_removing_the_last_lines_of_the_anchor_file_is_caught(site):
    assert site.run(journal, 'anchor')[0] == 0
    lines = site.anchor_file.read_text().splitlines()
    assert len(lines) == 4  # two anchors, each with its timestamp
    site.anchor_file.write_text('\n'.join(lines[:2]) + '\n')
    assert 'of the anchor chain is missing from the file' in broken(site.verify()[1])


def test_a_timestamp_of_another_authority_is_refused(site, tmp_path):
    other = LocalTSA(tmp_path / 'other', name='Another TSA')
    Path(site.ini).write_text(Path(site.ini).read_text().replace(
        'portail.journal_tsa_ca_file = ', f'portail.journal_tsa_ca_file = {other.ca_file}\n#'))
    assert broken(site.verify()[1]).startswith(
        'BROKEN: anchor file, line 2: timestamp does not match its anchor (Error while '
        'verifying certificates')


# -- the portal's own purge and erasure are no tampering --


def test_the_portals_purge_and_erasure_are_not_reported(site, tsa):
    from portail.journal.key import journal_key_of
    from portail.journal.model import JOURNAL_DB
    from portail.journal.writer import append_entry
    from tests.test_retention import make_dossier

    with application(site.ini) as registry:
        with portal_root(registry, 'test data') as root:
            worker = root.users.find_login('worker1')
            gone, _contract, request = make_dossier(
                root, registry, 'GONEQX', worker, datetime(2026, 1, 5, tzinfo=UTC))
            request.status = 'accepted'
            journal_db = root._p_jar.get_connection(JOURNAL_DB).root()[ROOT_KEY]
            # entries the portal wrote two years ago, for the purge to remove: an
            # account's role changes, in its own chain
            for days in (800, 790):
                append_entry(journal_db, journal_key_of(registry), f'~{worker.uid}-former',
                             datetime(2026, 1, 5, tzinfo=UTC) - timedelta(days=days),
                             f'{worker.uid}-former', None, 'user:x', 'roles', 0, 'worker')
            gone_name = gone.__name__
    assert site.run(journal, 'anchor')[0] == 0
    status, out = site.run(journal, 'purge')
    assert status == 0 and 'journal packed' in out
    assert int(out.split()[0]) >= 2
    assert site.verify()[0] == 0
    status, out = site.run(retention, '--erase')
    assert status == 0 and '1 dossier(s) erased' in out
    with site.journal() as journal_db:
        assert gone_name not in journal_db.chains
        assert all(gone_name not in bucket for bucket in journal_db.by_user.values())
    status, out = site.verify()
    assert status == 0, out
    assert site.run(journal, 'anchor')[0] == 0
    status, out = site.verify()
    assert status == 0 and 'journal intact' in out and 'timestamped by the TSA' in out
