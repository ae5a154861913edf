"""``portail-import CONFIG.ini [--accounts FILE] [--dossiers FILE] [--apply]``:
bring an existing caseload in from CSV files (issue 19, docs/import.md).

A dry run by default: the report says what would be created, updated or
left unchanged and every line that would be rejected, and nothing is
written; ``--apply`` imports.  With both files, the accounts are imported
first (the dossiers name their référents by login); in a dry run of both,
the dossiers are checked against the accounts the first file would create.

Exit status: 0 when every line was (or would be) imported, 3 when some line
was rejected (the others are imported), 1 when a file was refused as a
whole (encoding, missing column: nothing imported from it) or the
database cannot be used, 2 for wrong arguments.
"""
import argparse
import os

from pyramid.interfaces import ILocalizer
from ZODB.POSException import ConflictError

from portail.evolve import status
from portail.importing.report import translate
from portail.importing.run import import_file
from portail.scripts import CommandError, application, command, primary_db
from portail.scripts.progress import Progress

#: some line was rejected
REJECTED_LINES = 3


@command('portail-import')
def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Import staff accounts and dossiers from CSV files (docs/import.md).')
    parser.add_argument('config', help='the ini file, e.g. production.ini')
    parser.add_argument('--accounts', metavar='FILE', help='the staff accounts file')
    parser.add_argument('--dossiers', metavar='FILE', help="the beneficiaries' dossiers file")
    parser.add_argument('--apply', action='store_true',
                        help='import (without it: a dry run, nothing is written)')
    args = parser.parse_args(argv)
    if not (args.accounts or args.dossiers):
        parser.error('give --accounts FILE, --dossiers FILE or both')
    with application(args.config) as registry:
        _check_schema(registry, args.config)
        localizer = registry.getUtility(
            ILocalizer, name=registry.settings.get('pyramid.default_locale_name', 'fr'))
        if args.accounts and args.dossiers and not args.apply:
            return _dry_run_both(registry, args, localizer)
        worst = 0
        for kind, path in (('accounts', args.accounts), ('dossiers', args.dossiers)):
            if path:
                report = _one(registry, path, kind, args.apply, localizer)
                worst = max(worst, _status(report))
    return worst


def _one(registry, path, kind, apply, localizer, db=None, commit=None):
    try:
        size = os.path.getsize(path)
    except OSError:
        size = None  # the import says why the file cannot be read
    # the bytes of the file read so far: its lines are not known before
    with Progress(total=size, label=os.path.basename(path), unit='B') as bar:
        def progress(position):
            bar.advance(position - bar.count)

        try:
            report = import_file(registry, db or primary_db(registry), path, kind,
                                 apply=apply if commit is None else commit, journal=db is None,
                                 progress=progress, localizer=localizer)
        except ConflictError:
            # ZEO or PostgreSQL, the portal running: a batch met a change of the same objects
            raise CommandError(f'{path}: a change made meanwhile in the portal conflicts '
                               'with the import; run it again (the lines already imported '
                               'are left unchanged)') from None
        if size and bar.count < size:
            bar.advance(size - bar.count)  # the file is read to its end
    for line in report.lines(localizer, apply):
        print(line)
    return report


def _dry_run_both(registry, args, localizer):
    """Both files in one dry run: the accounts are imported, without journal,
    into a throw-away layer over the database (a ``DemoStorage`` whose
    changes stay in memory: accounts are few), then the dossiers are checked
    in a dry run over that layer; the layer is dropped."""
    from ZODB import DB
    from ZODB.DemoStorage import DemoStorage

    layered = DB(DemoStorage(base=primary_db(registry).storage, close_base_on_close=False))
    try:
        worst = 0
        for kind, path in (('accounts', args.accounts), ('dossiers', args.dossiers)):
            report = _one(registry, path, kind, False, localizer, db=layered,
                          commit=kind == 'accounts')
            worst = max(worst, _status(report))
        return worst
    finally:
        layered.close()


def _status(report):
    if report.refused is not None:
        return 1
    return REJECTED_LINES if report.rejected else 0


def _check_schema(registry, ini_path):
    conn = primary_db(registry).open()
    try:
        _version, _latest, pending = status(conn.root())
    finally:
        conn.close()
    if pending:
        raise CommandError(f'the database schema is not up to date: run portail-evolve '
                           f'{ini_path}')


__all__ = ['main', 'translate']
