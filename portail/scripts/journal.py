"""``portail-journal CONFIG.ini verify|anchor|purge|drain``: the access journal's commands.

Like the portal, every command first moves into the chains the change
entries a stopped or killed server left in the outbox
(:mod:`portail.journal.outbox`; :func:`portail.journal.writer.drain_at_start`).

- ``verify`` checks every chain against the journal key and the anchor
  chain, then the anchor chain against the anchor file and its latest
  timestamp; prints the first broken link and exits 1, or prints
  ``journal intact``.  It then counts the change entries still waiting in
  the outbox: those of the last :data:`OUTBOX_GRACE_MINUTES` minutes are
  being moved by a running server, older ones were not journaled (the
  journal database refused them) and make it exit 1;
- ``anchor`` records the heads of the chains that grew, appends the anchor
  to the anchor file (``portail.journal_anchor_file``) and the log, and has
  it timestamped by the TSA of ``portail.journal_tsa_url`` (run it from
  cron, e.g. every 5 minutes);
- ``purge`` removes entries older than ``portail.journal_retention_months``
  (``--dry-run`` only counts them), records the chains' new starts, then
  removes the unusual-access report's day records of the same age
  (:mod:`portail.journal.activity`) and packs the journal database so that
  no old revision keeps them;
- ``drain`` moves the outbox into the chains (what the portal does when it
  starts) and says how many entries it moved.
"""
import argparse
import contextlib
import logging
import sys
from datetime import datetime, time, timedelta

import transaction
from transaction.interfaces import NoTransaction

from portail.clock import utcnow
from portail.journal import activity, anchorfile, outbox, timestamp
from portail.journal.key import journal_key_of
from portail.journal.ledger import anchor, current_digest, purge, take_over
from portail.journal.model import JOURNAL_DB, ROOT_KEY
from portail.journal.verify import verify, verify_anchor_file
from portail.journal.writer import JournalUnavailable, drain, journal_writer
from portail.models.contract import add_months
from portail.retention import pack_away, storage_file
from portail.scripts import application, command, primary_db
from portail.scripts.progress import Progress

#: where anchors are logged (send it to a log host)
log = logging.getLogger('portail.journal')
#: outbox entries younger than this are being moved by a running server
OUTBOX_GRACE_MINUTES = 5


@contextlib.contextmanager
def journal_transaction(registry):
    """Yield ``(journal, transaction manager)``; the caller commits, anything
    left is aborted."""
    tm = transaction.TransactionManager(explicit=True)
    conn = primary_db(registry).open(transaction_manager=tm)
    try:
        tm.begin()
        yield conn.get_connection(JOURNAL_DB).root()[ROOT_KEY], tm
    finally:
        with contextlib.suppress(NoTransaction):
            tm.abort()
        conn.close()


def take_journal_over(registry, now):
    """Record, once, the journal's key id and its entries written before the
    key (:func:`portail.journal.ledger.take_over`)."""
    with journal_transaction(registry) as (journal, tm):
        if take_over(journal, journal_key_of(registry), now):
            tm.get().note('journal take-over')
            tm.commit()


@command('portail-journal')
def main(argv=None):
    parser = argparse.ArgumentParser(description='Verify, anchor or purge the access journal.')
    parser.add_argument('config')
    parser.add_argument('command', choices=('verify', 'anchor', 'purge', 'drain'))
    parser.add_argument('--dry-run', action='store_true', help='purge: only count')
    args = parser.parse_args(argv)
    with application(args.config) as registry:
        command = {'verify': verify_command, 'anchor': anchor_command,
                   'purge': purge_command, 'drain': drain_command}[args.command]
        return command(registry, args)


def verify_command(registry, args):
    settings = registry.settings
    key = journal_key_of(registry)
    anchor_file = settings['portail.journal_anchor_file']
    with journal_transaction(registry) as (journal, _tm):
        with Progress(len(journal.chains), 'journal verify: chains') as progress:
            broken = verify(journal, key, progress)
        check = None
        if broken is None and anchor_file:
            broken, check = verify_anchor_file(journal, key, anchor_file,
                                               settings['portail.journal_tsa_ca_file'] or None)
        count = len(journal.chains)
        records, entries, oldest = outbox.waiting(journal._p_jar.get_connection('').root())
    if broken is not None:
        print(f'BROKEN: {broken}')
        return 1
    print(f'journal intact: {count} chain(s)')
    if records:
        stale = oldest < utcnow(registry) - timedelta(minutes=OUTBOX_GRACE_MINUTES)
        print(f'{"NOT JOURNALED" if stale else "being journaled"}: {entries} change '
              f'entr(y/ies) of {records} request(s) still in the outbox, the oldest of '
              f'{oldest.isoformat()}' + (' (run portail-journal drain)' if stale else ''))
        if stale:
            return 1
    if check is not None:
        last = check.last
        print(f'last anchor in the anchor file: {last.seq} at {last.at}' if last
              else 'the anchor file holds no anchor yet')
        if check.stamped_at is not None:
            print(f'anchor {check.stamped.seq} timestamped by the TSA at '
                  f'{check.stamped_at.isoformat()}')
    return 0


def anchor_command(registry, args):
    settings = registry.settings
    anchor_file = settings['portail.journal_anchor_file']
    tsa_url, ca_file = settings['portail.journal_tsa_url'], settings['portail.journal_tsa_ca_file']
    if tsa_url and not (anchor_file and ca_file):
        print('portail.journal_tsa_url needs portail.journal_anchor_file and '
              'portail.journal_tsa_ca_file.', file=sys.stderr)
        return 1
    key = journal_key_of(registry)
    with journal_transaction(registry) as (journal, tm):
        with Progress(len(journal.chains), 'journal anchor: chains') as progress:
            entry = anchor(journal, key, utcnow(registry), to_file=bool(anchor_file),
                           progress=progress)
        count, digest = current_digest(journal)
        tm.get().note('journal anchor')
        tm.commit()
    line = anchorfile.anchor_line(key, entry.at, entry.seq, entry.hash, count, digest)
    if anchor_file:
        anchorfile.append(anchor_file, line)
    log.info('journal %s', line)
    print(f'anchor {entry.seq} recorded')
    if tsa_url:
        try:
            token = timestamp.request_token(tsa_url, line.encode('ascii'), ca_file)
        except timestamp.TimestampError as error:
            log.error('journal anchor %s not timestamped: %s', entry.seq, error)
            print(f'anchor {entry.seq} not timestamped: {error}', file=sys.stderr)
            return 1
        anchorfile.append(anchor_file, anchorfile.timestamp_line(entry.seq, token))
        print(f'anchor {entry.seq} timestamped by {tsa_url}')
    return 0


def purge_command(registry, args):
    now = utcnow(registry)
    months = registry.settings['portail.journal_retention_months']
    limit = add_months(now.date(), -months)
    key = journal_key_of(registry)
    with journal_transaction(registry) as (journal, tm):
        removed = purge(journal, key, datetime.combine(limit, time(), tzinfo=now.tzinfo), now)
        activity.purge(journal, limit)
        if args.dry_run:
            tm.abort()
            print(f'{removed} entr(y/ies) older than {limit} would be removed')
            return 0
        tm.get().note('journal purge')
        tm.commit()
    db = registry._zodb_databases[JOURNAL_DB]
    pack_away(db, storage_file(db))
    print(f'{removed} entr(y/ies) older than {limit} removed; journal packed')
    return 0


def drain_command(registry, args):
    try:
        drain(registry)  # the start of the command drained already: this says so
    except JournalUnavailable as error:
        print(f'the journal database refused the outbox: {error.__cause__}', file=sys.stderr)
        return 1
    print(f'outbox drained: the change entries of {journal_writer(registry).records} '
          f'request(s) moved into the journal')
    return 0
