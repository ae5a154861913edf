"""``portail-retention CONFIG.ini [--erase]``: list, then erase, the dossiers
past retention or whose erasure was accepted, and pack the storage.

Without ``--erase`` it only lists them (by opaque id: no name is printed).
With ``--erase`` each dossier is erased in its own transaction (its journal
chain with it), then the main and journal databases are packed to now and
FileStorage's leftovers are removed, so that no byte of the erased data
remains in the storage files.  Run ``make backup`` right after: it makes a
full backup of the packed files and removes the older ones (docs/operations.md,
"Backups").
"""
import argparse

from portail.clock import utcnow
from portail.journal.key import journal_key_of
from portail.journal.model import JOURNAL_DB
from portail.retention import due, erase_dossier, last_contact, pack_away, storage_file
from portail.scripts import application, command, portal_root, primary_db
from portail.scripts.progress import Progress


@command('portail-retention')
def main(argv=None):
    parser = argparse.ArgumentParser(description='Erase dossiers past their retention.')
    parser.add_argument('config')
    parser.add_argument('--erase', action='store_true', help='erase them (else: list only)')
    args = parser.parse_args(argv)
    with application(args.config) as registry:
        years = registry.settings['portail.retention_years']
        with portal_root(registry, 'retention: list') as root, \
                Progress(len(root.dossiers), 'retention: dossiers looked at') as progress:
            names = [(d.__name__, last_contact(d).date().isoformat())
                     for d in due(root, utcnow(registry), years, progress)]
        for name, contact in names:
            print(f'{"erase" if args.erase else "would erase"} dossier {name} '
                  f'(last contact {contact})')
        if not args.erase:
            print(f'{len(names)} dossier(s) due; run again with --erase to erase them.')
            return 0
        key = journal_key_of(registry)
        with Progress(len(names), 'retention: dossiers erased') as progress:
            for name, _contact in names:
                with portal_root(registry, 'retention: erase') as root:
                    erase_dossier(root, root.dossiers[name], key, utcnow(registry))
                progress.advance()
        for db in (primary_db(registry), registry._zodb_databases[JOURNAL_DB]):
            pack_away(db, storage_file(db))
        print(f'{len(names)} dossier(s) erased; storage packed.')
    return 0
