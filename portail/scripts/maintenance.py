"""``portail-close-expired CONFIG.ini`` and ``portail-purge-sessions CONFIG.ini``.

- close-expired closes every contract whose end date has passed (docs/domain.md, *Workflow*:
  "close ... automatically after its end date"); run it daily from cron.
  On the first run of a month it then takes the statistics' published
  snapshot (:mod:`portail.statistics.snapshot`), so that no reader has to.
- purge-sessions deletes the sessions older than ``portail.session_max_hours``
  (ended or expired: none of them can be used any more); run it daily.
"""
import argparse
from datetime import timedelta

import transaction

from portail.auth.oidc import purge_pending
from portail.auth.sessions import SESSIONS_DB, purge_sessions
from portail.clock import utcnow
from portail.models.session import STORE_KEY
from portail.scripts import application, command, portal_root, primary_db
from portail.statistics import snapshot
from portail.system import SystemRequest
from portail.workflow.contract import close_expired


def _config(argv, description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('config')
    return parser.parse_args(argv).config


@command('portail-close-expired')
def close_expired_main(argv=None):
    config = _config(argv, 'Close the contracts whose end date has passed.')
    with application(config) as registry:
        with portal_root(registry, 'close expired contracts') as root:
            now = utcnow(registry)
            closed = close_expired(SystemRequest(registry, root), now.date())
        with portal_root(registry, 'statistics snapshot') as root:
            taken = None
            if snapshot.is_due(root.statistics.snapshot, now):
                taken = snapshot.refresh(root.statistics, now).until
    print(f'{len(closed)} contract(s) closed.')
    if taken:
        print(f'Statistics snapshot taken: the months before {taken}.')
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
            # the logins through the identity provider left at the provider
            pending = purge_pending(conn.get_connection(SESSIONS_DB).root(), utcnow(registry))
            tm.get().note('purge sessions')
            tm.commit()
        finally:
            conn.close()
    print(f'{count} session(s) deleted.')
    if pending:
        print(f'{pending} pending login(s) through the identity provider deleted.')
    return 0
