"""One run of an import file: read, check, write in batches, report.

The dry run and the real run go through the same code, so the dry run's
report is the real run's: the real run commits every :data:`BATCH` lines
(memory stays bounded whatever the file's length; a run stopped half-way
is finished by running it again, since it is idempotent); the dry run takes
a savepoint every :data:`DRY_RUN_BATCH` lines instead (its changes go to a
temporary file, not to memory),
writes nothing to the journal and aborts at the end.
"""
import transaction

from portail.clock import utcnow
from portail.i18n import _
from portail.importing import columns, records
from portail.importing.apply import DUPLICATE_ID, Writer
from portail.importing.reading import FileRefused, read
from portail.importing.records import Context, Rejected
from portail.importing.report import Report, translate
from portail.models.root import get_root
from portail.system import SystemRequest

#: lines per transaction of the real run.  Each commit rewrites every index
#: bucket its lines touched, and the indexes are keyed by random ids, so a
#: commit costs about as much as the indexes are large, and fewer commits
#: cost less: on 100 000 lines (bench/README.md), 500 took 481 s (a loaded
#: machine), 5 000 313 s and 20 000 199 s, for a peak of 528 then 772 MiB.
BATCH = 20000
#: lines per savepoint of a dry run: its changes pile up until it is aborted
#: (5 000: 254 s and 896 MiB on 100 000 lines), so no larger
DRY_RUN_BATCH = 5000
#: the comment of an imported contract's history line
HISTORY_COMMENT = _('Imported from the previous information system.')

KINDS = {
    'accounts': (columns.ACCOUNT_COLUMNS, columns.ACCOUNT_REQUIRED, records.account, 'account'),
    'dossiers': (columns.DOSSIER_COLUMNS, columns.DOSSIER_REQUIRED, records.dossier, 'dossier'),
}


def import_file(registry, db, path, kind, apply=False, journal=True, progress=None,
                localizer=None, batch=None):
    """Import the file at ``path`` (``kind``: ``accounts`` or ``dossiers``)
    into ``db``; return its :class:`Report`.  Nothing is written unless
    ``apply``; the journal only with ``journal`` too."""
    known, required, check, method = KINDS[kind]
    batch = batch or (BATCH if apply else DRY_RUN_BATCH)
    report = Report(path, kind)
    tm = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=tm)
    try:
        tm.begin()
        root = get_root(conn.root())
        now = utcnow(registry)
        comment = translate(localizer, HISTORY_COMMENT) if localizer else str(HISTORY_COMMENT)
        writer = Writer(root, SystemRequest(registry, root), now, comment,
                        journal=apply and journal)
        write = getattr(writer, method)
        context = Context.of(root, now.date())
        try:
            report.encoding, report.delimiter, lines = read(path, known, required, progress)
        except FileRefused as refused:
            report.refused = refused.message
            tm.abort()
            return report
        seen = {}
        pending = 0
        for line, values, reason in lines:
            try:
                if reason is not None:
                    raise Rejected(reason)
                external = values['id_externe']
                if external in seen:
                    raise Rejected(_(DUPLICATE_ID, mapping={'id': external[:70],
                                                            'line': seen[external]}))
                if external:
                    seen[external] = line
                report.count(write(check(line, values, context)))
            except Rejected as rejected:
                report.reject(line, rejected.reason)
                continue
            pending += 1
            if pending >= batch:
                _checkpoint(tm, conn, apply, kind)
                pending = 0
        if apply:
            tm.get().note(f'import {kind}')
            tm.commit()
        else:
            tm.abort()
    except BaseException:
        tm.abort()
        raise
    finally:
        conn.close()
    return report


def _checkpoint(tm, conn, apply, kind):
    if apply:
        tm.get().note(f'import {kind}')
        tm.commit()
        tm.begin()
    else:
        tm.savepoint(optimistic=True)
    conn.cacheGC()
