"""Schema evolution: named steps run once each, in order, one transaction each.

The names of finished steps and the time they finished are recorded in the
ZODB root mapping under :data:`DONE_KEY`; the schema version is the number
of finished steps.  The first steps create the portal root and its
containers, so a new database and an old one follow the same path.

Add a step by appending a function to :mod:`portail.evolve.steps` decorated
with :func:`step`; never rename or reorder a step that has shipped.  A step
that rewrites many objects is declared ``step(name, batches=True)`` and gets
a :class:`Batches`: it commits its work in batches (so that neither the
memory nor one transaction holds it all) and shows its progress.  Such a
step must be idempotent, as an interrupted run leaves its earlier batches
committed and runs it again whole.
"""
import transaction
from BTrees.OOBTree import OOBTree

DONE_KEY = 'portail_evolve_done'

#: ordered list of ``(name, function)``; filled by :func:`step`
STEPS = []


def step(name, batches=False):
    """Register ``function(zodb_root, connection)`` as the evolve step
    ``name``; with ``batches``, ``function(zodb_root, connection, batches)``
    (a :class:`Batches`)."""

    def register(function):
        if any(n == name for n, _ in STEPS):
            raise ValueError(f'duplicate evolve step {name!r}')
        STEPS.append((name, _with_batches(function) if batches else function))
        return function

    return register


def _with_batches(function):
    """``function`` called as the plain steps are, given its :class:`Batches`."""

    def run(zodb_root, conn, batches=None):
        return function(zodb_root, conn, batches or Batches(conn))

    run.batched = True
    return run


class Batches:
    """What a long step uses to commit its work in batches and show its
    progress (:mod:`portail.scripts.progress`).

    :meth:`commit` ends a batch: a commit noted ``evolve NAME (batch N)``, or
    in a dry run a savepoint, so that everything is still aborted at the
    end; either way the connection's cache then forgets the objects it does
    not need.  :meth:`meter` makes the step's progress meter.  The last
    batch is committed with the step's record, as a plain step is.
    """

    def __init__(self, conn, name='', dry_run=True, progress=None):
        self.conn = conn
        self.name = name
        self.dry_run = dry_run
        self.progress = progress
        #: batches committed so far
        self.count = 0

    def meter(self, total, label):
        """A progress meter of ``total`` items named ``label`` (a context manager)."""
        from portail.scripts.progress import Silent

        return (self.progress or Silent)(total, label)

    def commit(self):
        """End a batch (see the class docstring)."""
        tm = self.conn.transaction_manager
        self.count += 1
        if self.dry_run:
            tm.savepoint(optimistic=True)
        else:
            tm.get().note(f'evolve {self.name} (batch {self.count})')
            tm.commit()
            tm.begin()
        self.conn.cacheGC()


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

    Each step runs and is recorded in its own transaction (a batched step
    commits its earlier batches before: :class:`Batches`).  With
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
            ran = _run(tm, zodb_root, conn, pending, now, dry_run, log, meter, progress)
        tm.abort()
    finally:
        conn.close()
    return ran


def _run(tm, zodb_root, conn, pending, now, dry_run, log, meter, progress):
    """Run the ``pending`` steps (see :func:`evolve`)."""
    ran = []
    for name, function in pending:
        log(f'{"[dry run] " if dry_run else ""}evolve step {name}')
        if getattr(function, 'batched', False):
            function(zodb_root, conn, Batches(conn, name, dry_run, progress))
        else:
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
