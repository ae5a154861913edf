"""``portail-import`` (issue 19) on a real FileStorage made by ``portail-init``:
real CSV files written in the test's folder, run through the command's
``main``; the report is read as the person running it reads it (French),
the database as the app reads it."""
import logging
import os
import pty
import subprocess
import sys
import tracemalloc
from datetime import date, timedelta

import pytest

from portail.importing import reading
from portail.importing.run import import_file
from portail.journal.record import journal_of
from portail.models import caseload, worklist
from portail.models.district import add_district
from portail.scripts import application, init, portal_root, primary_db
from portail.scripts.importer import main
from portail.statistics import counters
from tests.conftest import START, accept_charter
from tests.test_progress import Clock, read_all
from tests.test_scripts import INI

TODAY = START.date()
#: the référent's caseload page
CASELOAD = '/dossiers/caseload'
ACCOUNTS = """id_externe;identifiant;nom_complet;roles;circonscription;travailleur_social_qualifie
A-1;jdupont;Jeanne Dupont;worker;Circonscription Nord;
A-2;pmartin;Paul Martin;worker;circonscription nord;non
A-3;lsecr;Léa Secrétaire;secretary;Circonscription Nord;
A-4;mresp;Marc Responsable;manager;Circonscription Nord;oui
A-5;admin2;Alice Admin;admin;;
A-6;dnord;Diane Sud;worker;Circonscription Sud;
"""
HEADER = ('id_externe;nom;prenoms;date_naissance;circonscription;referent;adresse;telephone;'
          'email;taille_foyer;contrat_etat;contrat_debut;contrat_duree_mois;contrat_revision')


def dossier_line(ext, last, first='Camille', born='1980-05-17', district='Circonscription Nord',
                 referent='jdupont', address='3 rue des Lilas, 59000 Lille',
                 phone='03 20 00 00 00', email='', size='2', state='saisi',
                 start=(TODAY - timedelta(days=40)).isoformat(), months='6', review=''):
    return ';'.join((ext, last, first, born, district, referent, address, phone, email, size,
                     state, start if state else '', months if state else '', review))


DOSSIERS = '\n'.join((
    HEADER,
    dossier_line('D-1', 'Lefèvre', 'Élodie'),
    dossier_line('D-2', 'Nguyen', 'Karim', state='brouillon'),
    dossier_line('D-3', 'Diallo', 'Fatima', referent='pmartin', state='papier'),
    dossier_line('D-4', 'Morel', 'Théo', state='clos', start='2025-01-10', months='12'),
    dossier_line('D-5', 'Benali', 'Inès', state='', size=''),
    dossier_line('D-6', 'Roux', 'Jules', born='12/03/1975', district='Circonscription Sud',
                 referent='dnord', review=(TODAY + timedelta(days=10)).isoformat()),
)) + '\n'


@pytest.fixture
def ini(tmp_path):
    """A database made by ``portail-init``, with the two districts the
    administrator created before importing."""
    path = tmp_path / 'test.ini'
    path.write_text(INI.format(var=tmp_path))
    assert init.main([str(path)]) == 0
    with application(str(path)) as registry, portal_root(registry, 'districts') as root:
        add_district(root, 'Circonscription Nord', 'CLI du Nord')
        add_district(root, 'Circonscription Sud', 'CLI du Sud')
    return str(path)


def write(tmp_path, name, text, encoding='utf-8'):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run(capsys, *argv):
    """Run the command; return its exit status and what it printed."""
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def data_files(tmp_path):
    return {name: (tmp_path / name).read_bytes() for name in ('Data.fs', 'Journal.fs')}


def imported(ini, capsys, tmp_path):
    accounts = write(tmp_path, 'comptes.csv', ACCOUNTS)
    dossiers = write(tmp_path, 'dossiers.csv', DOSSIERS)
    assert run(capsys, ini, '--accounts', accounts, '--apply')[0] == 0
    assert run(capsys, ini, '--dossiers', dossiers, '--apply')[0] == 0
    return accounts, dossiers


def by_ext(root, ext):
    return root.dossiers[root.dossiers.by_external_id[ext]]


# -- the real run ---------------------------------------------------------------------


def test_accounts_then_dossiers_are_imported(ini, tmp_path, capsys):
    accounts = write(tmp_path, 'comptes.csv', ACCOUNTS)
    status, out, _err = run(capsys, ini, '--accounts', accounts, '--apply')
    assert status == 0
    assert f'Fichier {accounts} (comptes des agents)' in out
    assert 'Encodage UTF-8, séparateur « ; »' in out
    assert 'Import effectué.' in out
    assert '  créés : 6\n  mis à jour : 0\n  inchangés : 0\n  rejetés : 0\n' in out
    dossiers = write(tmp_path, 'dossiers.csv', DOSSIERS)
    status, out, _err = run(capsys, ini, '--dossiers', dossiers, '--apply')
    assert status == 0, out
    assert '  créés : 6\n' in out and '  rejetés : 0\n' in out
    with application(ini) as registry, portal_root(registry, 'check') as root:
        users = root.users
        worker = users.find_login('jdupont')
        assert (worker.fullname, worker.roles, worker.external_id) == (
            'Jeanne Dupont', ('worker',), 'A-1')
        assert root.districts[worker.district].name == 'Circonscription Nord'
        # no password: the administrator gives one (or the identity provider logs in)
        assert worker.password_hash is None and worker.must_change_password
        assert users.find_login('mresp').qualified_social_worker
        assert users.find_login('admin2').district is None
        assert worker.uid in {u.uid for u in users.with_role(worker.district, 'worker')}
        assert dict(users.by_external_id.items()) == {
            f'A-{n}': users.find_login(login).uid for n, login in enumerate(
                ('jdupont', 'pmartin', 'lsecr', 'mresp', 'admin2', 'dnord'), 1)}
        elodie = by_ext(root, 'D-1')
        assert (elodie.last_name, elodie.first_names, elodie.birth_date, elodie.household_size,
                elodie.referent, elodie.district) == (
            'Lefèvre', 'Élodie', date(1980, 5, 17), 2, worker.uid, worker.district)
        assert by_ext(root, 'D-6').birth_date == date(1975, 3, 12)
        states = {ext: [c.state for c in by_ext(root, ext).contracts.values()]
                  for ext in ('D-1', 'D-2', 'D-3', 'D-4', 'D-5')}
        assert states == {'D-1': ['entered'], 'D-2': ['draft'], 'D-3': ['paper'],
                          'D-4': ['closed'], 'D-5': []}
        contract = next(iter(elodie.contracts.values()))
        assert [(h.transition, h.target, h.actor) for h in contract.history] == [
            ('import', 'entered', 'system')]
        assert contract.history[0].comment == "Repris de l'ancien système d'information."
        assert [(c.kind, c.decision, c.note) for c in contract.consents] == [
            ('notice', 'given', 'import'), ('processing', 'given', 'import')]
        assert contract.fingerprint == contract.compute_fingerprint()
        assert_indexes_as_the_app_makes_them(root)
        # the journals: each dossier says it was imported, each account's creation
        journal = journal_of_root(root)
        actions = [(e.user, e.object, e.action) for e in journal.chains[elodie.__name__].values()]
        assert actions == [('system', 'dossier', 'import'),
                           ('system', f'contract:{contract.__name__}', 'import')]
        admin = [(e.object, e.action) for e in journal.chains['administration'].values()]
        assert ('user:' + worker.uid, 'account-created') in admin and len(admin) == 6


def journal_of_root(root):
    class Request:
        pass

    request = Request()
    request.root = root
    return journal_of(request)


def assert_indexes_as_the_app_makes_them(root):
    """Every index kept on write equals its recomputation from the objects."""
    dossiers = root.dossiers
    expected = {name: caseload.summarise(d) for name, d in dossiers.items()}
    assert dict(dossiers.summaries.items()) == expected
    assert dict(dossiers.caseload_index.items()) == {
        (s.referent, s.key, name): s for name, s in expected.items()}
    assert counters.snapshot(root) == counters.recount(root)
    keys = {key for d in dossiers.values() for key in worklist.keys_of(d)}
    assert set(dossiers.worklist.keys()) == keys
    by_state = {}
    for name, d in dossiers.items():
        for c in d.contracts.values():
            by_state.setdefault((d.district, c.state), set()).add((name, c.__name__))
    assert {k: set(v) for k, v in dossiers.contracts_by_district_state.items()} == by_state
    for name, d in dossiers.items():
        assert name in dossiers.by_referent[d.referent]
        assert name in dossiers.by_identity[dossiers.identity_of(d)]


def test_the_referent_sees_the_imported_dossier_in_the_app(ini, tmp_path, capsys):
    from pyramid.paster import get_app
    from webtest import TestApp

    from portail.auth.login import set_password

    imported(ini, capsys, tmp_path)
    with application(ini) as registry, portal_root(registry, 'password') as root:
        # what the administrator's "reset the password" gives, chosen anew by the person
        user = root.users.find_login('jdupont')
        set_password(user, 'Une phrase de passe solide', START, 'fast', must_change=False)
        accept_charter(root, user)
    browser = TestApp(get_app(ini), extra_environ={'REMOTE_ADDR': '192.0.2.10'})
    page = browser.get('/login')
    form = next(f for f in page.forms.values() if f.action.endswith('/login'))
    form['login'], form['password'] = 'jdupont', 'Une phrase de passe solide'
    form.submit().maybe_follow()
    found = browser.get(CASELOAD)
    names = [a.text for a in found.html.select('#caseload-table tbody td:first-child a')]
    # jdupont's four, not pmartin's DIALLO
    assert names == ['BENALI Inès', 'LEFÈVRE Élodie', 'MOREL Théo', 'NGUYEN Karim']
    dossier = found.click('LEFÈVRE Élodie')
    assert '17/05/1980' in dossier.text and 'saisi' in dossier.text


# -- the dry run, idempotence, updates ------------------------------------------------


def test_a_dry_run_writes_nothing_and_reports_what_would_be_done(ini, tmp_path, capsys):
    accounts = write(tmp_path, 'comptes.csv', ACCOUNTS)
    dossiers = write(tmp_path, 'dossiers.csv', DOSSIERS + dossier_line(
        'D-7', 'Petit', referent='inconnu') + '\n')
    before = data_files(tmp_path)
    status, out, _err = run(capsys, ini, '--accounts', accounts, '--dossiers', dossiers)
    assert status == 3
    assert out.count("Simulation : rien n'a été écrit. Relancez avec --apply pour importer.") == 2
    # the dossiers are checked against the accounts the first file would create
    assert '  créés : 6\n' in out.split('dossiers)')[1]
    assert 'ligne 8 : référent inconnu « inconnu »' in out
    assert data_files(tmp_path) == before
    # the real run does what the dry run said
    status, out, _err = run(capsys, ini, '--accounts', accounts, '--dossiers', dossiers,
                            '--apply')
    assert status == 3 and 'ligne 8 : référent inconnu « inconnu »' in out
    assert 'Import effectué.' in out and '  créés : 6\n' in out.split('dossiers)')[1]


def test_running_the_same_files_again_changes_nothing(ini, tmp_path, capsys):
    accounts, dossiers = imported(ini, capsys, tmp_path)
    before = data_files(tmp_path)
    for option, path in (('--accounts', accounts), ('--dossiers', dossiers)):
        status, out, _err = run(capsys, ini, option, path, '--apply')
        assert status == 0
        assert '  créés : 0\n  mis à jour : 0\n  inchangés : 6\n  rejetés : 0\n' in out
    assert data_files(tmp_path) == before


def test_changed_values_update_only_the_imported_fields(ini, tmp_path, capsys):
    imported(ini, capsys, tmp_path)
    with application(ini) as registry, portal_root(registry, 'a note') as root:
        elodie = by_ext(root, 'D-1')
        name = elodie.__name__
        old_contract = elodie.imported_contract
        karim = by_ext(root, 'D-2')
        draft = karim.contracts[karim.imported_contract]
        draft.actions = 'Atelier de recherche d\'emploi.'  # the référent goes on in Portail
        draft.touch(karim.referent, START)
    changed = '\n'.join((
        HEADER,
        dossier_line('D-1', 'Lefèvre', 'Élodie', referent='pmartin', address='8 rue Neuve',
                     months='12'),
        dossier_line('D-2', 'Nguyen', 'Karim', state='saisi'),
    )) + '\n'
    accounts = write(tmp_path, 'comptes2.csv', ACCOUNTS.replace(
        'A-3;lsecr;Léa Secrétaire;secretary', 'A-3;lsecr;Léa Durand;secretary|worker'))
    status, out, _err = run(capsys, ini, '--accounts', accounts, '--apply')
    assert '  créés : 0\n  mis à jour : 1\n  inchangés : 5\n' in out
    path = write(tmp_path, 'changes.csv', changed)
    status, out, _err = run(capsys, ini, '--dossiers', path, '--apply')
    assert status == 3
    assert '  créés : 0\n  mis à jour : 1\n  inchangés : 0\n  rejetés : 1\n' in out
    assert ('ligne 3 : le contrat importé a été modifié dans Portail depuis : '
            "l'import ne le change plus") in out
    with application(ini) as registry, portal_root(registry, 'check') as root:
        elodie = root.dossiers[name]
        assert elodie.address == '8 rue Neuve' and elodie.phone == '03 20 00 00 00'
        assert elodie.referent == root.users.find_login('pmartin').uid
        assert old_contract not in elodie.contracts
        (contract,) = elodie.contracts.values()
        assert contract.duration_months == 12
        lea = root.users.find_login('lsecr')
        assert (lea.fullname, lea.roles) == ('Léa Durand', ('secretary', 'worker'))
        assert lea.uid in {u.uid for u in root.users.with_role(lea.district, 'worker')}
        assert [e.action for e in journal_of_root(root).chains[name].values()][-1] == \
            'import:update'
        assert_indexes_as_the_app_makes_them(root)


# -- encodings and delimiters ------------------------------------------------------------


def test_a_windows_1252_file_with_commas(ini, tmp_path, capsys):
    imported(ini, capsys, tmp_path)
    text = (DOSSIERS.replace(';', ',').replace('3 rue des Lilas, 59000 Lille', '"3 rue, Lille"')
            .replace('D-', 'W-').replace('Lefèvre', 'Lefèbvre').replace('1980-05-17',
                                                                        '1981-05-17'))
    text = '\n'.join(line for line in text.splitlines()
                     if line.startswith(('id_', 'W-1', 'W-6'))).replace('Roux', 'Rousseau')
    path = write(tmp_path, 'ansi.csv', text.replace('\n', '\r\n') + '\r\n', 'cp1252')
    status, out, _err = run(capsys, ini, '--dossiers', path, '--apply')
    assert status == 0, out
    assert 'Encodage Windows-1252, séparateur « , »' in out and '  créés : 2\n' in out
    with application(ini) as registry, portal_root(registry, 'check') as root:
        dossier = by_ext(root, 'W-1')
        assert (dossier.last_name, dossier.first_names, dossier.address) == (
            'Lefèbvre', 'Élodie', '3 rue, Lille')


def test_a_utf8_file_with_a_bom(ini, tmp_path, capsys):
    path = write(tmp_path, 'bom.csv', '\ufeff' + ACCOUNTS)
    status, out, _err = run(capsys, ini, '--accounts', path)
    assert status == 0 and 'Encodage UTF-8' in out and '  créés : 6\n' in out


# -- bad files ----------------------------------------------------------------------------


def test_a_file_in_another_encoding_is_refused_whole(ini, tmp_path, capsys):
    before = data_files(tmp_path)
    path = write(tmp_path, 'utf16.csv', ACCOUNTS, 'utf-16')
    status, out, _err = run(capsys, ini, '--accounts', path, '--apply')
    assert status == 1
    assert ("Fichier refusé, rien n'a été importé : le fichier n'est pas un fichier texte "
            'en UTF-8 ou en Windows-1252 (la ligne 1 contient un octet nul') in out
    lines = ACCOUNTS.encode('utf-8').splitlines(keepends=True)
    lines[3] = lines[3].replace(b'L\xc3\xa9a', b'L\x81a')  # a byte neither can read
    path = tmp_path / 'mixed.csv'
    path.write_bytes(b''.join(lines))
    status, out, _err = run(capsys, ini, '--accounts', str(path), '--apply')
    assert status == 1
    assert ("le fichier n'est ni en UTF-8 ni en Windows-1252 (la ligne 4 contient un octet "
            "qu'aucun des deux ne sait lire)") in out
    assert data_files(tmp_path) == before


def test_a_missing_column_refuses_the_file(ini, tmp_path, capsys):
    text = '\n'.join(';'.join(f for i, f in enumerate(line.split(';')) if i != 3)
                     for line in DOSSIERS.splitlines())
    path = write(tmp_path, 'sans-date.csv', text)
    status, out, _err = run(capsys, ini, '--dossiers', path, '--apply')
    assert status == 1
    assert ('Fichier refusé, rien n\'a été importé : la première ligne ne contient pas la ou '
            'les colonnes obligatoires : « date_naissance ».') in out
    path = write(tmp_path, 'faute.csv', DOSSIERS.replace('telephone', 'telephon'))
    status, out, _err = run(capsys, ini, '--dossiers', path)
    assert status == 1
    assert ('la première ligne nomme des colonnes inconnues : « telephon » (les colonnes '
            'sont décrites dans docs/import.md).') in out


def test_bad_lines_are_rejected_with_their_line_and_reason(ini, tmp_path, capsys):
    write(tmp_path, 'unused', '')
    imported(ini, capsys, tmp_path)
    text = '\n'.join((
        HEADER,
        dossier_line('X-1', 'Petit', referent='jdupont2'),
        dossier_line('X-2', 'Garnier', born='2026-02-30'),
        dossier_line('X-3', 'Robin'),
        dossier_line('X-3', 'Robin', 'Hugo'),
        dossier_line('X-4', 'Masson', referent='dnord'),
        dossier_line('X-5', 'Henry', state='signé'),
        dossier_line('X-6', 'Perrin', months='24'),
        dossier_line('X-7', 'Lefèvre', 'Élodie'),
        'X-8;trop;peu',
        dossier_line('X-9', 'Faure', review='2020-01-01'),
    )) + '\n'
    path = write(tmp_path, 'mauvais.csv', text)
    status, out, _err = run(capsys, ini, '--dossiers', path, '--apply')
    assert status == 3
    assert '  créés : 1\n  mis à jour : 0\n  inchangés : 0\n  rejetés : 9\n' in out
    rejected = out.split('rejetés : 9\n')[1].splitlines()
    assert rejected == [
        'ligne 2 : référent inconnu « jdupont2 »',
        'ligne 3 : date_naissance : « 2026-02-30 » n\'est pas une date '
        '(AAAA-MM-JJ ou JJ/MM/AAAA)',
        'ligne 5 : id_externe « X-3 » déjà présent à la ligne 4',
        'ligne 6 : le référent « dnord » n\'est pas un travailleur social actif de la '
        'circonscription « Circonscription Nord »',
        'ligne 7 : contrat_etat : état inconnu « signé » (un de : brouillon, saisi, papier, '
        'clos)',
        'ligne 8 : contrat_duree_mois : entre 3 et 12',
        'ligne 9 : un dossier de même nom et même date de naissance existe déjà dans '
        "Portail : vérifiez qu'il ne s'agit pas de la même personne",
        'ligne 10 : 3 champs alors que la première ligne en nomme 14',
        'ligne 11 : contrat_revision : la date de révision doit être comprise entre le début '
        'et la fin du contrat',
    ]


def test_a_50_mb_line_is_rejected_without_being_held(ini, tmp_path, capsys):
    imported(ini, capsys, tmp_path)
    path = tmp_path / 'enorme.csv'
    with open(path, 'w', encoding='utf-8') as file:
        file.write(HEADER + '\n')
        file.write(dossier_line('Y-1', 'Blanc') + '\n')
        file.write(dossier_line('Y-2', 'Noir', address='x' * (50 * 1024 * 1024)) + '\n')
        file.write(dossier_line('Y-3', 'Vert') + '\n')
    with application(ini) as registry:
        tracemalloc.start()
        report = import_file(registry, primary_db(registry), str(path), 'dossiers')
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024
    assert report.counts['created'] == 2
    assert [(line, str(reason)) for line, reason in report.rejected] == [
        (3, 'line longer than ${max} bytes: not read')]
    status, out, _err = run(capsys, ini, '--dossiers', str(path))
    assert 'ligne 3 : ligne de plus de 10\u202f000 octets : non lue' in out


def test_an_unclosed_quote_does_not_swallow_the_file(tmp_path):
    path = write(tmp_path, 'quote.csv', 'id_externe;nom\n"A;b\n' + ('x;y\n' * 20000))
    _enc, _delim, records = reading.read(path, ('id_externe', 'nom'), {'id_externe'})
    found = list(records)
    # the quoted field grows to the field size limit, is rejected, and reading goes on
    assert found[0][:2] == (2, None)
    assert 'field larger than field limit' in found[0][2].mapping['error']
    assert found[-1] == (20002, {'id_externe': 'x', 'nom': 'y'}, None)


def test_a_missing_file_is_reported(ini, tmp_path, capsys):
    status, out, _err = run(capsys, ini, '--dossiers', str(tmp_path / 'absent.csv'))
    assert status == 1
    assert "Fichier refusé, rien n'a été importé : ce fichier n'existe pas." in out


# -- what the person and the DPO see; erasure ------------------------------------------


def test_the_persons_journal_says_the_dossier_was_imported(ini, tmp_path, capsys):
    from pyramid.paster import get_app
    from webtest import TestApp

    from portail.auth.login import set_password
    from portail.models.user import User

    imported(ini, capsys, tmp_path)
    with application(ini) as registry, portal_root(registry, 'account') as root:
        elodie = by_ext(root, 'D-1')
        person = User('elodie', 'Élodie Lefèvre', ('beneficiary',), elodie.district)
        set_password(person, 'Une phrase de passe solide', START, 'fast', must_change=False)
        root.users.add_user(person)
        root.dossiers.set_beneficiary(elodie, person.uid)
        name = elodie.__name__
    browser = TestApp(get_app(ini), extra_environ={'REMOTE_ADDR': '192.0.2.10'})
    page = browser.get('/login')
    form = next(f for f in page.forms.values() if f.action.endswith('/login'))
    form['login'], form['password'] = 'elodie', 'Une phrase de passe solide'
    form.submit().maybe_follow()
    journal = browser.get(f'/dossiers/{name}/journal')
    rows = [[td.get_text(' ', strip=True) for td in tr.find_all('td')]
            for tr in journal.html.select('tbody tr')]
    imports = [r for r in rows if "reprise depuis l'ancien système d'information" in r]
    assert len(imports) == 2, rows  # the dossier, and its contract
    assert all('le portail' in ' '.join(r).lower() for r in imports)


def test_an_erased_dossier_leaves_no_external_id(ini, tmp_path, capsys):
    imported(ini, capsys, tmp_path)
    with application(ini) as registry, portal_root(registry, 'erase') as root:
        dossier = by_ext(root, 'D-5')
        root.dossiers.remove_dossier(dossier)
        assert 'D-5' not in root.dossiers.by_external_id
        user = root.users.find_login('dnord')
        root.users.remove_user(user)
        assert 'A-6' not in root.users.by_external_id


# -- progress -----------------------------------------------------------------------------


def test_progress_lines_in_a_log_and_a_summary(ini, tmp_path, capsys, caplog, monkeypatch):
    """Not on a terminal (cron, systemd): a line every ten seconds of the
    progress clock, in bytes of the file read, then a summary; the report
    itself goes to standard output."""
    from portail.scripts import progress

    accounts = write(tmp_path, 'comptes.csv', ACCOUNTS)
    dossiers = write(tmp_path, 'dossiers.csv', DOSSIERS)
    assert run(capsys, ini, '--accounts', accounts, '--apply')[0] == 0
    caplog.set_level(logging.INFO, logger='portail.progress')
    caplog.clear()  # the accounts file's lines, if an earlier test set logging up
    monkeypatch.setattr(progress, 'monotonic', Clock(step=11))  # a line at each record
    status, out, _err = run(capsys, ini, '--dossiers', dossiers, '--apply')
    assert status == 0 and 'Import effectué.' in out
    lines = [r.getMessage() for r in caplog.records if r.name == 'portail.progress']
    size = f'{len(DOSSIERS.encode())} B'  # under a KiB
    assert lines[0].startswith('dossiers.csv: ') and f' B/{size} (' in lines[0]
    assert len(lines) == DOSSIERS.count('\n')  # one a record, and the summary
    assert lines[-1].startswith(f'dossiers.csv: done, {size} in ')


def test_progress_is_a_bar_on_a_terminal(ini, tmp_path):
    """On a terminal: tqdm's bar on standard error, at 100 % in the end."""
    accounts = write(tmp_path, 'comptes.csv', ACCOUNTS)
    main_, tty = pty.openpty()
    try:
        result = subprocess.run(  # noqa: S603
            [sys.executable, '-c', 'import sys; from portail.scripts.importer import main; '
             'sys.exit(main(sys.argv[1:]))', ini, '--accounts', accounts, '--apply'],
            stderr=tty, stdout=subprocess.PIPE, text=True, timeout=120, check=False)
        os.close(tty)
        shown = read_all(main_)
    finally:
        os.close(main_)
    assert result.returncode == 0 and 'Import effectué.' in result.stdout
    assert 'comptes.csv: 100%|' in shown and '█' in shown


# -- the command's arguments and database -----------------------------------------------


def test_a_file_must_be_given(ini, capsys):
    with pytest.raises(SystemExit) as stop:
        main([ini])
    assert stop.value.code == 2
    assert 'give --accounts FILE, --dossiers FILE or both' in capsys.readouterr().err


def test_a_database_not_evolved_is_reported(ini, tmp_path, capsys):
    import transaction

    from portail.evolve import DONE_KEY

    with application(ini) as registry:
        tm = transaction.TransactionManager(explicit=True)
        conn = primary_db(registry).open(transaction_manager=tm)
        with tm:
            del conn.root()[DONE_KEY]['0018-create-external-id-indexes']
        conn.close()
    path = write(tmp_path, 'comptes.csv', ACCOUNTS)
    assert main([ini, '--accounts', path]) == 1
    assert capsys.readouterr().err == (
        f'portail-import: error: the database schema is not up to date: run portail-evolve '
        f'{ini}\n')


def test_bad_account_lines_are_rejected(ini, tmp_path, capsys):
    imported(ini, capsys, tmp_path)
    text = '\n'.join((
        'id_externe,identifiant,nom_complet,roles,circonscription',
        'B-1,jdupont,Jeanne Autre,worker,Circonscription Nord',
        'A-1,jeanne,Jeanne Dupont,worker,Circonscription Nord',
        'B-2,chef,Chef,admin|worker,',
        'B-3,sec,Sec Rétaire,secretary,',
        'B-4,x,Court,worker,Circonscription Nord',
        'B-5,ouest,Olivier Ouest,worker,Circonscription Ouest',
        'B-6,lecteur,Luc Lecteur,reader,Circonscription Nord',
    )) + '\n'
    path = write(tmp_path, 'comptes-faux.csv', text)
    status, out, _err = run(capsys, ini, '--accounts', path, '--apply')
    assert status == 3
    assert out.split('rejetés : 7\n')[1].splitlines() == [
        "ligne 2 : l'identifiant « jdupont » est déjà utilisé par un compte qui n'a pas été "
        'importé avec cet id_externe',
        "ligne 3 : cet id_externe a été importé avec l'identifiant « jdupont » : un "
        'identifiant ne peut pas changer',
        'ligne 4 : roles : un administrateur des comptes ne peut pas avoir aussi worker',
        'ligne 5 : circonscription : ces rôles appartiennent à une circonscription : '
        'indiquez-la',
        'ligne 6 : identifiant : de 3 à 40 lettres, chiffres, point, tiret ou tiret bas (« x »)',
        "ligne 7 : circonscription : circonscription inconnue « Circonscription Ouest » "
        "(créez-la d'abord dans Portail)",
        'ligne 8 : roles : rôle inconnu « reader » (un de : worker, secretary, cli, manager, '
        'admin, dpo)',
    ]


def test_a_new_district_moves_the_dossier(ini, tmp_path, capsys):
    imported(ini, capsys, tmp_path)
    path = write(tmp_path, 'move.csv', '\n'.join((HEADER, dossier_line(
        'D-1', 'Lefèvre', 'Élodie', district='Circonscription Sud', referent='dnord'))) + '\n')
    status, out, _err = run(capsys, ini, '--dossiers', path, '--apply')
    assert status == 0 and '  mis à jour : 1\n' in out
    with application(ini) as registry, portal_root(registry, 'check') as root:
        elodie = by_ext(root, 'D-1')
        south = root.users.find_login('dnord')
        assert (elodie.district, elodie.referent) == (south.district, south.uid)
        assert_indexes_as_the_app_makes_them(root)


def test_a_conflict_with_the_running_portal_asks_to_run_again(ini, tmp_path, capsys,
                                                               monkeypatch):
    from ZODB.POSException import ConflictError

    from portail.scripts import importer

    def conflict(*args, **kw):
        raise ConflictError()

    monkeypatch.setattr(importer, 'import_file', conflict)
    path = write(tmp_path, 'comptes.csv', ACCOUNTS)
    assert main([ini, '--accounts', path, '--apply']) == 1
    assert capsys.readouterr().err == (
        f'portail-import: error: {path}: a change made meanwhile in the portal conflicts '
        'with the import; run it again (the lines already imported are left unchanged)\n')


def test_each_rule_of_a_dossier_line_has_its_french_reason(ini, tmp_path, capsys):
    imported(ini, capsys, tmp_path)
    cases = (
        (dict(email='pas-une-adresse'),
         'email : « pas-une-adresse » n\'est pas une adresse électronique valide'),
        (dict(phone='03-20-AB'), 'telephone : chiffres, espaces et + seulement (« 03-20-AB »)'),
        (dict(size='deux'), 'taille_foyer : « deux » n\'est pas un nombre entier en chiffres'),
        (dict(size='40'), 'taille_foyer : entre 1 et 20'),
        (dict(first=''), 'prenoms : obligatoire, et vide'),
        (dict(address='a\x07b'), 'adresse : Ce champ contient des caractères de contrôle '
                                 'invisibles (comme un retour à la ligne ou une tabulation) : '
                                 'retirez-les.'),
        (dict(born='1899-12-31'), 'date_naissance : « 1899-12-31 » n\'est pas entre le '
                                  f'01/01/1900 et le {TODAY.strftime("%d/%m/%Y")}'),
        (dict(start=''), 'contrat_debut : obligatoire quand contrat_etat est rempli'),
        (dict(state='', review='2026-12-01'), 'contrat_etat : dates de contrat sans '
                                              'contrat_etat'),
        (dict(district='Nulle Part'), 'circonscription : circonscription inconnue '
                                      '« Nulle Part » (créez-la d\'abord dans Portail)'),
        (dict(ext='a b'), 'id_externe : au plus 64 lettres, chiffres, point, tiret, tiret bas '
                          'ou barre oblique (« a b »)'),
        (dict(last='x' * 81), 'nom : 80 caractères au maximum (il y en a 81).'),
    )
    lines = [HEADER]
    for number, (change, _reason) in enumerate(cases):
        values = dict(ext=f'R-{number}', last=f'Nom{number}')
        values.update(change)
        lines.append(dossier_line(values.pop('ext'), values.pop('last'), **values))
    path = write(tmp_path, 'regles.csv', '\n'.join(lines) + '\n')
    status, out, _err = run(capsys, ini, '--dossiers', path)
    assert status == 3
    assert out.split(f'rejetés : {len(cases)}\n')[1].splitlines() == [
        f'ligne {number} : {reason}' for number, (_c, reason) in enumerate(cases, 2)]


def test_each_rule_of_an_account_line_has_its_french_reason(ini, tmp_path, capsys):
    text = '\n'.join((
        'id_externe;identifiant;nom_complet;roles;circonscription;travailleur_social_qualifie',
        'C-1;alpha;Alpha Un;worker;Circonscription Nord;peut-être',
        'C-2;beta;Beta Deux;worker;Circonscription Nord;oui',
        'C-3;gamma;G;worker;Circonscription Nord;',
        'C-4;delta;Delta Quatre;;Circonscription Nord;',
    )) + '\n'
    path = write(tmp_path, 'regles.csv', text)
    status, out, _err = run(capsys, ini, '--accounts', path)
    assert status == 3
    assert out.split('rejetés : 4\n')[1].splitlines() == [
        'ligne 2 : travailleur_social_qualifie : « peut-être » n\'est ni oui ni non',
        'ligne 3 : travailleur_social_qualifie : seul un responsable de circonscription peut '
        'être travailleur social qualifié',
        'ligne 4 : nom_complet : 2 caractères au moins.',
        'ligne 5 : roles : obligatoire, et vide',
    ]


@pytest.mark.parametrize('apply', [False, True])
def test_batches_commit_or_take_a_savepoint(ini, tmp_path, capsys, apply):
    """Every ``batch`` lines, the real run commits and the dry run takes a
    savepoint; what they do is what one transaction would do."""
    imported(ini, capsys, tmp_path)
    lines = [HEADER] + [dossier_line(f'B-{n}', f'Batch{n}') for n in range(7)]
    path = write(tmp_path, 'batches.csv', '\n'.join(lines) + '\n')
    before = data_files(tmp_path)
    with application(ini) as registry:
        report = import_file(registry, primary_db(registry), path, 'dossiers', apply=apply,
                             batch=2)
    assert report.counts == {'created': 7, 'updated': 0, 'unchanged': 0}
    if not apply:
        assert data_files(tmp_path) == before
        return
    with application(ini) as registry, portal_root(registry, 'check') as root:
        assert {f'B-{n}' for n in range(7)} <= set(root.dossiers.by_external_id.keys())
        assert_indexes_as_the_app_makes_them(root)
        storage = primary_db(registry).storage
        # 2 + 2 + 2 + 1 lines (the journal writer's moves of the outbox between them)
        notes = [t.description for t in storage.iterator()]
        assert notes.count(b'import dossiers') == 4 + 1  # and the first file's


def test_a_line_of_the_largest_length_is_read_and_one_byte_more_is_not():
    import io

    largest = b'a' * reading.MAX_LINE_BYTES + b'\n'  # its end of line aside
    longer = b'b' * (reading.MAX_LINE_BYTES + 1) + b'\n'
    windows = b'd' * reading.MAX_LINE_BYTES + b'\r\n'
    lines = reading.Lines(io.BytesIO(b'id\n' + largest + longer + windows + b'c'), 'utf-8')
    assert [len(line) for line in lines] == [
        3, reading.MAX_LINE_BYTES + 1, 1, reading.MAX_LINE_BYTES + 2, 1]
    assert lines.too_long == [3]
