"""``portail-journal CONFIG.ini verify|anchor|purge``: the access journal's commands.

- ``verify`` checks every hash chain and the anchors; prints the first broken
  link and exits 1, or prints ``journal intact``;
- ``anchor`` records the heads of the chains that grew (run it from cron,
  e.g. every 5 minutes);
- ``purge`` removes entries older than ``portail.journal_retention_months``
  (``--dry-run`` only counts them).
"""
import argparse

import transaction
from transaction.interfaces import NoTransaction

from portail.clock import utcnow
from portail.journal.model import JOURNAL_DB, ROOT_KEY
from portail.journal.verify import anchor, purge, verify
from portail.models.contract import add_months
from portail.scripts import application, command, primary_db


@command('portail-journal')
def main(argv=None):
    parser = argparse.ArgumentParser(description='Verify, anchor or purge the access journal.')
    parser.add_argument('config')
    parser.add_argument('command', choices=('verify', 'anchor', 'purge'))
    parser.add_argument('--dry-run', action='store_true', help='purge: only count')
    args = parser.parse_args(argv)
    with application(args.config) as registry:
        tm = transaction.TransactionManager(explicit=True)
        conn = primary_db(registry).open(transaction_manager=tm)
        try:
            tm.begin()
            journal = conn.get_connection(JOURNAL_DB).root()[ROOT_KEY]
            now = utcnow(registry)
            if args.command == 'verify':
                broken = verify(journal)
                tm.abort()
                if broken is not None:
                    print(f'BROKEN: chain {broken.chain}, entry {broken.seq}: {broken.reason}')
                    return 1
                print(f'journal intact: {len(journal.chains)} chain(s)')
                return 0
            if args.command == 'anchor':
                entry = anchor(journal, now)
                tm.get().note('journal anchor')
                tm.commit()
                print(f'anchor {entry.seq} recorded')
                return 0
            months = registry.settings['portail.journal_retention_months']
            limit = add_months(now.date(), -months)
            from datetime import datetime, time

            removed = purge(journal, datetime.combine(limit, time(), tzinfo=now.tzinfo))
            if args.dry_run:
                tm.abort()
                print(f'{removed} entr(y/ies) older than {limit} would be removed')
            else:
                tm.get().note('journal purge')
                tm.commit()
                print(f'{removed} entr(y/ies) older than {limit} removed')
            return 0
        finally:
            try:
                tm.abort()
            except NoTransaction:
                pass
            conn.close()
