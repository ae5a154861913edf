"""Schema evolution: named steps run once each, in order, one transaction each.

The names of finished steps and the time they finished are recorded in the
ZODB root mapping under :data:`DONE_KEY`; the schema version is the number
of finished steps.  The first steps create the portal root and its
containers, so a new database and an old one follow the same path.

Add a step by appending a function to :mod:`portail.evolve.steps` decorated
with :func:`step`; never rename or reorder a step that has shipped.
"""
import transaction
from BTrees.OOBTree import OOBTree

DONE_KEY = 'portail_evolve_done'

#: ordered list of ``(name, function)``; filled by :func:`step`
STEPS = []


def step(name):
    """Register ``function(zodb_root, connection)`` as the evolve step ``name``."""

    def register(function):
        if any(n == name for n, _ in STEPS):
            raise ValueError(f'duplicate evolve step {name!r}')
        STEPS.append((name, function))
        return function

    return register


def _steps():
    from portail.evolve import steps  # noqa: F401 (registers the steps)

    return STEPS


def done(zodb_root):
    """Return the mapping ``step name -> finished time`` of a database."""
    return zodb_root.get(DONE_KEY, {})


def status(zodb_root):
    """Return ``(version, latest_version, pending_names)``."""
    names = [n for n, _ in _steps()]
    finished = done(zodb_root)
    pending = [n for n in names if n not in finished]
    return len(names) - len(pending), len(names), pending


def evolve(db, now, dry_run=False, log=print, progress=None):
    """Run the pending steps on ``db``; return the names of the steps run.

    Each step runs and is recorded in its own transaction.  With
    ``dry_run`` every pending step runs in one transaction that is then
    aborted, so nothing is written.  ``progress(total, label)`` makes the
    meter of the steps (:class:`portail.scripts.progress.Progress`; none by
    default).
    """
    from portail.scripts.progress import Silent

    tm = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=tm)
    try:
        tm.begin()
        zodb_root = conn.root()
        finished = done(zodb_root)
        pending = [(name, function) for name, function in _steps() if name not in finished]
        meter = (progress or Silent)(len(pending), 'evolve steps')
        with meter:
            ran = _run(tm, zodb_root, conn, pending, now, dry_run, log, meter)
        tm.abort()
    finally:
        conn.close()
    return ran


def _run(tm, zodb_root, conn, pending, now, dry_run, log, meter):
    """Run the ``pending`` steps (see :func:`evolve`)."""
    ran = []
    for name, function in pending:
        log(f'{"[dry run] " if dry_run else ""}evolve step {name}')
        function(zodb_root, conn)
        if DONE_KEY not in zodb_root:
            zodb_root[DONE_KEY] = OOBTree()
        zodb_root[DONE_KEY][name] = now
        ran.append(name)
        if not dry_run:
            tm.get().note(f'evolve {name}')
            tm.commit()
            tm.begin()
        meter.advance()
    return ran
