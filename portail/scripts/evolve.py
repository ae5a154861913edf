"""``portail-evolve CONFIG.ini [--dry-run | --status]``: run pending evolve steps."""
import argparse

from portail.clock import SystemClock
from portail.evolve import evolve, status
from portail.journal.key import create_key_of
from portail.scripts import application, primary_db


def main(argv=None):
    parser = argparse.ArgumentParser(description='Evolve the Portail database schema.')
    parser.add_argument('config')
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--dry-run', action='store_true', help='run the steps, then abort')
    group.add_argument('--status', action='store_true', help='print the schema version')
    args = parser.parse_args(argv)
    if not (args.status or args.dry_run):
        created = create_key_of(args.config)  # the journal an evolve step creates needs it
        if created:
            print(created)
    with application(args.config) as registry:
        db = primary_db(registry)
        if args.status:
            conn = db.open()
            try:
                version, latest, pending = status(conn.root())
            finally:
                conn.close()
            print(f'schema version {version}/{latest}')
            for name in pending:
                print(f'  pending: {name}')
            return 0
        ran = evolve(db, SystemClock().now(), dry_run=args.dry_run)
    print(f'{len(ran)} step(s) {"would run" if args.dry_run else "run"}.')
    return 0
