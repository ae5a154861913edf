"""``portail-evolve CONFIG.ini [--dry-run | --status]``: run pending evolve steps."""
import argparse

from portail.clock import utcnow
from portail.evolve import evolve, status
from portail.scripts import application, command, primary_db
from portail.scripts.progress import Progress, write


@command('portail-evolve')
def main(argv=None):
    parser = argparse.ArgumentParser(description='Evolve the Portail database schema.')
    parser.add_argument('config')
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--dry-run', action='store_true', help='run the steps, then abort')
    group.add_argument('--status', action='store_true', help='print the schema version')
    args = parser.parse_args(argv)
    with application(args.config, initialised=False,
                     create_key=not (args.status or args.dry_run)) as registry:
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
        ran = evolve(db, utcnow(registry), dry_run=args.dry_run, log=write, progress=Progress)
    print(f'{len(ran)} step(s) {"would run" if args.dry_run else "run"}.')
    return 0
