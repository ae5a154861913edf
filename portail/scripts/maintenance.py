"""``portail-close-expired CONFIG.ini`` and ``portail-reapply-acls CONFIG.ini``.

- close-expired closes every contract whose end date has passed (docs/domain.md, *Workflow*:
  "close ... automatically after its end date"); run it daily from cron.
- reapply-acls rewrites every contract's ACL from the workflow table; run it
  after any change to ``portail/workflow/contract.py``'s table.
- purge-sessions deletes the sessions older than ``portail.session_max_hours``
  (ended or expired: none of them can be used any more); run it daily.
"""
import argparse
from datetime import timedelta

import transaction

from portail.auth.sessions import SESSIONS_DB, purge_sessions
from portail.clock import utcnow
from portail.models.session import STORE_KEY
from portail.scripts import application, command, portal_root, primary_db
from portail.system import SystemRequest
from portail.workflow.contract import close_expired, reapply_acls


def _config(argv, description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('config')
    return parser.parse_args(argv).config


@command('portail-close-expired')
def close_expired_main(argv=None):
    config = _config(argv, 'Close the contracts whose end date has passed.')
    with application(config) as registry:
        with portal_root(registry, 'close expired contracts') as root:
            today = utcnow(registry).date()
            closed = close_expired(SystemRequest(registry, root), today)
    print(f'{len(closed)} contract(s) closed.')
    return 0


@command('portail-reapply-acls')
def reapply_acls_main(argv=None):
    config = _config(argv, "Rewrite every contract's ACL from the workflow table.")
    with application(config) as registry:
        with portal_root(registry, 'reapply contract ACLs') as root:
            count = reapply_acls(root.dossiers)
    print(f'{count} contract(s) updated.')
    return 0


@command('portail-purge-sessions')
def purge_sessions_main(argv=None):
    config = _config(argv, 'Delete the sessions that can no longer be used.')
    with application(config) as registry:
        tm = transaction.TransactionManager(explicit=True)
        conn = primary_db(registry).open(transaction_manager=tm)
        try:
            tm.begin()
            store = conn.get_connection(SESSIONS_DB).root()[STORE_KEY]
            max_age = timedelta(hours=registry.settings['portail.session_max_hours'])
            count = purge_sessions(store, utcnow(registry), max_age)
            tm.get().note('purge sessions')
            tm.commit()
        finally:
            conn.close()
    print(f'{count} session(s) deleted.')
    return 0
