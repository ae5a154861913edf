"""``portail-init CONFIG.ini [--demo]``: create or evolve the database.

The only command that creates the databases (and their folder, e.g. ``var/``)
and the journal key file.

Runs the pending evolve steps and has the journal taken over by the key
(once); with ``--demo``, adds the demo département
when the database holds no account at all (``make run`` does this).
"""
import argparse

from portail.clock import utcnow
from portail.demo import ACCOUNTS, DEMO_PASSWORD, create_demo
from portail.evolve import evolve
from portail.scripts import application, command, portal_root, primary_db
from portail.scripts.journal import take_journal_over


@command('portail-init')
def main(argv=None):
    parser = argparse.ArgumentParser(description='Create or evolve the Portail database.')
    parser.add_argument('config', help='the ini file, e.g. development.ini')
    parser.add_argument('--demo', action='store_true',
                        help='add the demo département if it is not there')
    args = parser.parse_args(argv)
    with application(args.config, create=True, initialised=False, create_key=True) as registry:
        now = utcnow(registry)
        evolve(primary_db(registry), now)
        take_journal_over(registry, now)
        if not args.demo:
            return 0
        with portal_root(registry, 'create demo') as root:
            if len(root.users):
                # never mix demo accounts into a database that already has accounts
                print('The database already holds accounts: no demo added.')
                return 0
            create_demo(root, registry, spread=True)
        print(f'Demo département created. Accounts (password {DEMO_PASSWORD}):')
        for login, fullname, roles, district, _qualified in ACCOUNTS:
            where = f'district {district}' if district else 'département'
            print(f'  {login:<14} {", ".join(roles):<12} {where:<12} {fullname}')
    return 0
