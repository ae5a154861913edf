"""The access journal: one entry per audited action (retries included), the
hash chains and their verifier, anchors, purge, and who may read it."""
import dataclasses
from datetime import timedelta

import pytest
from pyramid.interfaces import IBeforeRender
from ZODB.POSException import ConflictError

from portail.journal.ledger import anchor, purge
from portail.journal.model import (
    JOURNAL_DB,
    ROOT_KEY,
    Chain,
    EntryTree,
    JournalEntry,
    canonical,
    decode,
    encode,
    entry_hash,
)
from portail.journal.verify import verify, verify_chain
from tests.conftest import PortalTransaction, find_dossier, logged_in


class JournalAccess(PortalTransaction):
    """The journal database of a test portal, in an aborted-or-committed transaction."""

    def __init__(self, portal, commit=False):
        super().__init__(portal, commit)

    def view(self, conn):
        return conn.get_connection(JOURNAL_DB).root()[ROOT_KEY]


def martin(portal):
    with portal.root() as root:
        return find_dossier(root, 'Martin').__name__


def entries(portal, dossier):
    with JournalAccess(portal) as journal:
        return list(journal.chains[dossier].values())


def test_a_read_is_journaled_once_even_when_the_request_is_retried(portal, caplog):
    caplog.set_level('INFO', logger='portail.views.errors')
    dossier = martin(portal)
    worker = logged_in(portal, 'worker1')
    before = len(entries(portal, dossier))
    attempts = []

    def conflict_once(event):
        attempts.append(1)
        if len(attempts) == 1:
            raise ConflictError()

    portal.registry.registerHandler(conflict_once, (IBeforeRender,))
    try:
        page = worker.get(f'/dossiers/{dossier}/')
    finally:
        portal.registry.unregisterHandler(conflict_once, (IBeforeRender,))
    assert page.status_int == 200 and len(attempts) >= 2
    # a retried conflict is no error: no traceback in the log
    assert not [r for r in caplog.records if r.levelname == 'ERROR']
    assert any('Retrying GET' in r.getMessage() for r in caplog.records)
    added = entries(portal, dossier)[before:]
    assert [(e.action, e.object, e.level) for e in added] == [('read', 'dossier', 2)]
    with portal.root() as root:
        assert added[0].user == root.users.find_login('worker1').uid
    assert added[0].at == portal.clock.now().isoformat()


def test_an_aborted_request_leaves_no_entry(portal):
    dossier = martin(portal)
    before = len(entries(portal, dossier))
    logged_in(portal, 'worker2').get(f'/dossiers/{dossier}/', status=403)
    assert len(entries(portal, dossier)) == before


def test_lookup_transitions_consents_and_roles_are_journaled(portal):
    dossier = martin(portal)
    worker = logged_in(portal, 'worker3')
    form = worker.get('/dossiers/lookup').forms['form']
    form['last_name'], form['first_names'], form['birth_date'] = 'Martin', 'Bernard', '1979-03-14'
    form['reason'] = 'Demande de RSA à Marseille'
    form.submit()
    last = entries(portal, dossier)[-1]
    assert (last.action, last.level, last.detail) == ('lookup', 1, 'Demande de RSA à Marseille')
    beneficiary = logged_in(portal, 'beneficiary1')
    with portal.root() as root:
        shared = next(c for c in find_dossier(root, 'Martin').contracts.values()
                      if c.state == 'shared')
        url = f'/dossiers/{dossier}/contracts/{shared.__name__}/'
    page = beneficiary.get(url + 'consent?kind=share_cli&decision=withdrawn')
    [f for f in page.forms.values() if f.action.endswith('/consent')][0].submit()
    actions = [e.action for e in entries(portal, dossier)[-2:]]
    assert actions == ['consent:share_cli:withdrawn', 'transition:unshare']
    admin = logged_in(portal, 'admin1')
    with portal.root() as root:
        uid = root.users.find_login('manager1').uid
    form = admin.get(f'/users/{uid}/').forms['form']
    form['qualified'] = True
    form.submit()
    with JournalAccess(portal) as journal, portal.root() as root:
        admin_uid = root.users.find_login('admin1').uid
        last = list(journal.chains['administration'].values())[-1]  # issue 13
        assert (last.user, last.action, last.object) == (admin_uid, 'roles-changed',
                                                         f'user:{uid}')


def test_the_verifier_finds_the_first_broken_link(portal, journal_key):
    dossier = martin(portal)
    logged_in(portal, 'worker1').get(f'/dossiers/{dossier}/')
    with JournalAccess(portal) as journal:
        assert verify(journal, journal_key) is None
        chain = journal.chains[dossier]
        # altered
        second = chain.entries[2]
        chain.entries[2] = encode(dataclasses.replace(decode(second), action='nothing to see'))
        broken = verify(journal, journal_key)
        assert (broken.chain, broken.seq, broken.reason) == (dossier, 2, 'entry altered')
        chain.entries[2] = second
        # deleted
        del chain.entries[3]
        assert verify(journal, journal_key).seq == 3
    with JournalAccess(portal) as journal:
        chain = journal.chains[dossier]
        # reordered
        first, second = chain.entry(1), chain.entry(2)
        chain.entries[1] = encode(dataclasses.replace(second, seq=1))
        chain.entries[2] = encode(dataclasses.replace(first, seq=2))
        assert verify(journal, journal_key).seq == 1
    with JournalAccess(portal) as journal:
        chain = journal.chains[dossier]
        # the last entry removed and the head rewound: only the anchors tell
        anchor(journal, journal_key, portal.clock.now())
        last = chain.entry(chain.length)
        del chain.entries[chain.length]
        chain.length -= 1
        chain.head = last.previous
        broken = verify(journal, journal_key)
        assert broken is not None and broken.reason == 'chain shorter than anchored'


def test_purge_keeps_the_chains_verifiable(portal, journal_key):
    dossier = martin(portal)
    old = len(entries(portal, dossier))
    portal.clock.advance(days=400)
    logged_in(portal, 'worker1').get(f'/dossiers/{dossier}/')
    with JournalAccess(portal, commit=True) as journal:
        anchor(journal, journal_key, portal.clock.now())
        removed = purge(journal, journal_key, portal.clock.now() - timedelta(days=365),
                        portal.clock.now())
        assert removed >= old
        assert verify(journal, journal_key) is None
    remaining = entries(portal, dossier)
    assert len(remaining) == 1 and remaining[0].seq == old + 1


def test_the_beneficiary_reads_who_consulted_the_dossier(portal):
    dossier = martin(portal)
    logged_in(portal, 'secretary1').get(f'/dossiers/{dossier}/')
    beneficiary = logged_in(portal, 'beneficiary1')
    page = beneficiary.get(f'/dossiers/{dossier}/journal')
    assert 'Sophie Secrétaire' in page.text and 'secrétaire' in page.text
    assert 'Wanda Travailleuse' in page.text
    # nobody else: not the référent, not the CLI, not the admin
    for login in ('worker1', 'secretary1', 'manager2', 'cli1', 'admin1', 'beneficiary2'):
        assert logged_in(portal, login).get(f'/dossiers/{dossier}/journal', status=403)


def journal_rows(page):
    """``(who, role, action, item)`` of each row of "who consulted my dossier"."""
    return [tuple(td.get_text(' ', strip=True) for td in tr.select('td')[1:])
            for tr in page.html.select('tbody tr')]


def test_the_persons_journal_speaks_their_words(portal):
    """Who: "vous" for the person, name and role of a professional; what:
    the action in words (copy, request, opinion, never "modification" for
    them); which item: the contract by its date, the request by its date and
    kind, never an opaque id; no confidentiality level; own reads hidden on
    demand."""
    import re

    from tests.test_requests import make_request

    dossier = martin(portal)
    with portal.root() as root:
        contract = next(c for c in root.dossiers[dossier].contracts.values()
                        if c.start_date is not None)
        contract_id, start = contract.__name__, contract.start_date
    worker = logged_in(portal, 'worker1')
    worker.get(f'/dossiers/{dossier}/contracts/{contract_id}/')
    beneficiary = logged_in(portal, 'beneficiary1')
    beneficiary.get(f'/dossiers/{dossier}/')
    beneficiary.get(f'/dossiers/{dossier}/copy')
    make_request(beneficiary, f'/dossiers/{dossier}/', 'rectification', 'Mon adresse a changé.')
    page = beneficiary.get(f'/dossiers/{dossier}/journal')
    rows = journal_rows(page)
    assert ('Wanda Travailleuse', 'travailleur social / travailleuse sociale', 'consultation',
            f'contrat du {start:%d/%m/%Y}') in rows
    assert ('vous', '', 'consultation', "demandes d'exercice des droits") in rows
    today = portal.clock.now().strftime('%d/%m/%Y')
    assert ('vous', '', 'copie du dossier', 'dossier') in rows
    assert ('vous', '', "demande d'exercice des droits",
            f'demande du {today} (rectification)') in rows
    assert not [r for r in rows if r[0] == 'vous' and r[2] == 'modification']
    table = page.html.find('table').get_text(' ')
    assert contract_id[:8] not in table and 'Niveau' not in table
    assert not re.search(r'\b[0-9a-f]{8}\b', table)
    own_reads = [r for r in rows if r[0] == 'vous' and r[2] == 'consultation']
    assert own_reads

    form = [f for f in page.forms.values() if f.action.endswith('/journal')][0]
    form['hide_own_reads'] = True
    hidden = form.submit()
    rows = journal_rows(hidden)
    assert not [r for r in rows if r[0] == 'vous' and r[2] == 'consultation']
    assert ('vous', '', 'copie du dossier', 'dossier') in rows
    assert any(r[0] == 'Wanda Travailleuse' for r in rows)
    assert hidden.html.find(id='hide_own_reads').has_attr('checked')


def test_the_dpo_filters_every_journal(portal):
    dossier = martin(portal)
    logged_in(portal, 'secretary1').get(f'/dossiers/{dossier}/')
    dpo = logged_in(portal, 'dpo1')
    page = dpo.get('/journal')
    assert page.html.find('tbody') is None  # nothing without a filter
    form = page.forms[[k for k, f in page.forms.items() if f.action.endswith('/journal')][0]]
    form['user'] = 'secretary1'
    result = form.submit()
    rows = result.html.select('tbody tr')
    assert rows and all('Sophie Secrétaire' in r.text for r in rows)
    assert 'rue des Lilas' not in result.text  # no dossier content
    form = result.forms[[k for k, f in result.forms.items() if f.action.endswith('/journal')][0]]
    form['user'] = ''
    form['dossier'] = dossier
    form['from'] = portal.clock.now().date().isoformat()
    form['to'] = portal.clock.now().date().isoformat()
    rows = form.submit().html.select('tbody tr')
    assert len(rows) == len(entries(portal, dossier))
    form['dossier'] = ''
    form['user'] = 'nobody-like-this'
    assert 'Aucun compte' in form.submit().text
    for login in ('worker1', 'admin1', 'manager2', 'beneficiary1'):
        assert logged_in(portal, login).get('/journal', status=403)


@pytest.mark.parametrize('command', ['verify', 'anchor', 'purge'])
def test_journal_command(tmp_path, capsys, command):
    from portail.scripts import init, journal
    from tests.test_scripts import INI

    ini = tmp_path / 'test.ini'
    ini.write_text(INI.format(var=tmp_path))
    init.main([str(ini), '--demo'])
    capsys.readouterr()
    assert journal.main([str(ini), command]) == 0
    out = capsys.readouterr().out
    expected = {'verify': 'journal intact', 'anchor': 'recorded',
                'purge': '0 entr(y/ies) older than'}[command]
    assert expected in out


def test_an_entry_is_stored_as_its_seal_and_the_text_it_seals(journal_key):
    chain = Chain('d1')
    entry = chain.append(journal_key, '2026-01-02T03:04:05+00:00', 'u1', 'd1', 'dossier', 'read',
                         2, 'é')
    stored = chain.entries[1]
    assert isinstance(chain.entries, EntryTree)
    assert isinstance(stored, str) and stored.startswith(entry.hash)
    assert stored[64:] == canonical(entry.payload())
    assert entry.hash == journal_key.seal(canonical(entry.payload())) != entry_hash(entry.payload())
    assert entry.payload()['chain'] == 'd1'
    assert decode(stored) == entry == chain.entry(1)
    assert chain.entry(2) is None


def test_a_chain_of_the_former_layout_is_read_and_extended(journal_key):
    """Chains written before entries were strings hold JournalEntry instances
    in a plain IOBTree; they verify, read and grow without an evolve step."""
    from BTrees.IOBTree import IOBTree

    chain = Chain('d1')
    del chain.keyed_from  # as in a chain written before the journal key
    chain.entries = IOBTree()
    payload = {'seq': 1, 'at': '2026-01-01T00:00:00+00:00', 'user': 'u1', 'dossier': 'd1',
               'object': 'dossier', 'action': 'create', 'level': 2, 'detail': '',
               'previous': chain.head}
    old = JournalEntry(hash=entry_hash(payload), **payload)
    chain.entries[1] = old
    chain.length, chain.head = 1, old.hash
    chain.append(journal_key, '2026-01-02T00:00:00+00:00', 'u2', 'd1', 'dossier', 'read', 2, '')
    assert chain.keyed_from == 2
    assert verify_chain(chain, journal_key, legacy=1) is None
    assert [e.action for e in chain.values()] == ['create', 'read']
    assert [e.seq for e in chain.values(reverse=True)] == [2, 1]
    chain.entries[1] = dataclasses.replace(old, user='u3')
    assert verify_chain(chain, journal_key, legacy=1).reason == 'entry altered'


def test_appending_rewrites_a_small_bucket(journal_key):
    chain = Chain('d1')
    for n in range(100):
        chain.append(journal_key, f'2026-01-01T00:00:{n % 60:02d}+00:00', 'u1', 'd1', 'dossier',
                     'read', 2, '')
    buckets = chain.entries.__getstate__()[0][::2]
    assert max(len(b) for b in buckets) <= EntryTree.max_leaf_size
    assert [e.seq for e in chain.values()] == list(range(1, 101))


def test_a_conflict_on_every_attempt_ends_on_the_error_page(portal, caplog):
    caplog.set_level('INFO', logger='portail.views.errors')
    dossier = martin(portal)
    worker = logged_in(portal, 'worker1')
    before = len(entries(portal, dossier))

    def always(event):
        if 'dossier' in event.rendering_val:  # the dossier page, not the error page
            raise ConflictError()

    portal.registry.registerHandler(always, (IBeforeRender,))
    try:
        page = worker.get(f'/dossiers/{dossier}/', status=500)
    finally:
        portal.registry.unregisterHandler(always, (IBeforeRender,))
    assert 'Erreur inattendue' in page.text and 'Traceback' not in page.text
    errors = [r for r in caplog.records if r.levelname == 'ERROR']
    retries = [r for r in caplog.records if 'Retrying GET' in r.getMessage()]
    assert len(errors) == 1 and len(retries) == portal.registry.settings['retry.attempts'] - 1
    assert len(entries(portal, dossier)) == before  # nothing committed


def test_the_verifier_reports_a_damaged_stored_entry(portal, journal_key):
    dossier = martin(portal)
    logged_in(portal, 'worker1').get(f'/dossiers/{dossier}/')
    with JournalAccess(portal) as journal:
        chain = journal.chains[dossier]
        for damage in (chain.entries[2][:-5], chain.entries[2][:64] + '{"seq": 2}', 42):
            kept = chain.entries[2]
            chain.entries[2] = damage
            broken = verify(journal, journal_key)
            assert (broken.chain, broken.seq, broken.reason) == (dossier, 2, 'entry altered')
            chain.entries[2] = kept
        assert verify(journal, journal_key) is None


def test_a_long_journal_says_that_the_copy_holds_every_entry(portal, monkeypatch):
    import portail.views.journal

    dossier = martin(portal)
    beneficiary = logged_in(portal, 'beneficiary1')
    page = beneficiary.get(f'/dossiers/{dossier}/journal')
    assert 'les contient toutes' not in page.text  # everything is shown
    count = len(entries(portal, dossier))
    monkeypatch.setattr(portail.views.journal, 'DOSSIER_PAGE', 2)
    page = beneficiary.get(f'/dossiers/{dossier}/journal')
    assert f'Voici les 2 plus récentes des {count} entrées' in page.text
    copy = page.click('copie de votre dossier')
    assert copy.status_int == 200


# -- the journal key (issue 14) --


def test_init_creates_the_key_and_the_portal_refuses_to_start_without_it(tmp_path, capsys):
    from pyramid.paster import get_app

    from portail.journal.key import create_key
    from portail.scripts import init
    from tests.test_scripts import INI

    ini = tmp_path / 'test.ini'
    ini.write_text(INI.format(var=tmp_path))
    key_file = tmp_path / 'journal.key'
    assert init.main([str(ini)]) == 0
    assert f'Journal key created in {key_file}' in capsys.readouterr().out
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32
    assert init.main([str(ini)]) == 0  # kept, not replaced
    assert 'Journal key created' not in capsys.readouterr().out

    def starts():
        for db in get_app(str(ini)).registry._zodb_databases.values():
            db.close()

    starts()
    saved = key_file.read_bytes()
    key_file.unlink()
    with pytest.raises(SystemExit, match=f'The journal key file {key_file} is missing'):
        get_app(str(ini))
    create_key(str(key_file))  # another key
    with pytest.raises(SystemExit, match='is not the key this journal was written with'):
        get_app(str(ini))
    key_file.write_text('not a key\n')
    with pytest.raises(SystemExit, match='does not hold a journal key'):
        get_app(str(ini))
    key_file.write_bytes(saved)
    starts()


def test_a_journal_written_before_the_key_is_taken_over_once(tmp_path, capsys):
    """A journal of the former code (plain SHA-256 chains, entries of both
    layouts, an anchor chain, a purged start) verifies after portail-init
    took it over; an unsealed entry slipped in afterwards does not."""
    import ZODB
    from BTrees.IOBTree import IOBTree
    from ZODB.FileStorage import FileStorage

    from portail.journal.model import GENESIS, Journal
    from portail.scripts import evolve, init, journal
    from tests.test_scripts import INI

    def legacy_chain(key, count, dataclasses_first=0):
        chain = Chain(key)
        del chain.keyed_from
        chain.entries = IOBTree()
        previous = GENESIS
        for seq in range(1, count + 1):
            payload = {'seq': seq, 'at': f'2025-0{seq}-01T00:00:00+00:00', 'user': 'u1',
                       'dossier': key, 'object': 'dossier', 'action': 'read', 'level': 2,
                       'detail': '', 'previous': previous}
            previous = entry_hash(payload)
            entry = JournalEntry(hash=previous, **payload)
            chain.entries[seq] = entry if seq <= dataclasses_first else encode(entry)
        chain.length, chain.head = count, previous
        return chain

    ini = tmp_path / 'test.ini'
    ini.write_text(INI.format(var=tmp_path))
    evolve.main([str(ini), '--dry-run'])  # no key, nothing written
    assert not (tmp_path / 'journal.key').exists()
    db = ZODB.DB(FileStorage(str(tmp_path / 'Journal.fs')))
    with db.transaction() as conn:
        old = conn.root()[ROOT_KEY] = Journal()
        del old.anchors.keyed_from
        old.chains['d1'] = legacy_chain('d1', 4, dataclasses_first=2)
        old.chains['d2'] = legacy_chain('d2', 3)
        d2 = old.chains['d2']  # purged by the former code: no record of it
        d2.base_seq, d2.base_hash = 1, d2.entry(1).hash
        del d2.entries[1]
        detail = f'd1:4:{old.chains["d1"].head};d2:3:{d2.head}'
        payload = {'seq': 1, 'at': '2025-06-01T00:00:00+00:00', 'user': 'system', 'dossier': '',
                   'object': 'anchors', 'action': 'anchor', 'level': 0, 'detail': detail,
                   'previous': GENESIS}
        old.anchors.entries[1] = encode(JournalEntry(hash=entry_hash(payload), **payload))
        old.anchors.length, old.anchors.head = 1, entry_hash(payload)
        old.anchored['d1'], old.anchored['d2'] = 4, 3
    db.close()
    assert init.main([str(ini)]) == 0
    capsys.readouterr()
    assert journal.main([str(ini), 'verify']) == 0
    assert 'journal intact: 2 chain(s)' in capsys.readouterr().out
    assert journal.main([str(ini), 'anchor']) == 0
    assert journal.main([str(ini), 'verify']) == 0
    capsys.readouterr()
    db = ZODB.DB(FileStorage(str(tmp_path / 'Journal.fs')))
    with db.transaction() as conn:
        d1 = conn.root()[ROOT_KEY].chains['d1']
        assert d1.keyed_from == 5
        payload = {'seq': 5, 'at': '2025-07-01T00:00:00+00:00', 'user': 'u9', 'dossier': 'd1',
                   'object': 'dossier', 'action': 'read', 'level': 2, 'detail': '',
                   'previous': d1.head}
        d1.entries[5] = encode(JournalEntry(hash=entry_hash(payload), **payload))
        d1.length, d1.head, d1.keyed_from = 5, entry_hash(payload), 6
    db.close()
    assert journal.main([str(ini), 'verify']) == 1
    assert capsys.readouterr().out == (
        'BROKEN: chain d1, entry 5: entry not sealed with the journal key\n')


def test_an_anchor_the_authority_does_not_stamp_fails_loudly(tmp_path, capsys):
    from portail.scripts import init, journal
    from tests.test_scripts import INI
    from tests.tsa import LocalTSA

    tsa = LocalTSA(tmp_path / 'tsa').start()
    try:
        ini = tmp_path / 'test.ini'
        anchors = tmp_path / 'anchors.txt'
        ini.write_text(INI.format(var=tmp_path) + f'portail.journal_anchor_file = {anchors}\n'
                       f'portail.journal_tsa_url = {tsa.url}\n'
                       f'portail.journal_tsa_ca_file = {tsa.ca_file}\n')
        init.main([str(ini)])
        capsys.readouterr()
        tsa.refuse = True
        assert journal.main([str(ini), 'anchor']) == 1
        assert 'anchor 2 not timestamped: the time-stamping authority' in capsys.readouterr().err
        assert anchors.read_text().startswith('anchor at=')  # the line is there, unstamped
        assert journal.main([str(ini), 'verify']) == 1
        assert capsys.readouterr().out == 'BROKEN: anchor file, line 1: no timestamp in the file\n'
        tsa.refuse = False
        assert journal.main([str(ini), 'anchor']) == 0
        assert journal.main([str(ini), 'verify']) == 0
        out = capsys.readouterr().out
        assert 'last anchor in the anchor file: 3' in out and 'anchor 3 timestamped' in out
    finally:
        tsa.stop()
