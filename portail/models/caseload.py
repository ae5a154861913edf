"""Each dossier's summary, kept on write: the index behind the caseload page.

The caseload page (issue 16, "The worker's day") searches a worker's
dossiers by name (a prefix, accents and case aside), filters them by the
state of the current contract and by an overdue review, sorts them by name
or by next review, and shows the birth date that tells homonyms apart, 50
rows a page.  Building a row from the dossier and its contracts would load
every contract of the caseload on each page; so each dossier has a small
*summary*, a frozen :class:`Summary`, rebuilt (:func:`refresh`) at every
write that can change what it holds, and the page reads one summary a row.
Issue 20's listings read it too: a row is one object.

Two ``OOBTree`` of the dossiers folder hold it (created and filled by evolve
step ``0015``):

- ``Dossiers.summaries``: dossier id → :class:`Summary`;
- ``Dossiers.caseload_index``: ``(référent, folded name, dossier id)`` →
  the same :class:`Summary`.  A référent's caseload is one contiguous range
  of it, in name order, and a name prefix is a narrower range of that
  range: ``(uid, 'ELI')`` to ``(uid, 'ELI\\uffff')``.  Filters and sorts run
  over the rows of that range only (a caseload is about 200 dossiers),
  never over the département's, and never open a contract.

The folded name is :func:`~portail.models.dossier.normalise_name` of the
last name, a space, then of the first names: ``Élise d'Arc`` is
``D'ARC ELISE``, and the typed text is folded the same way, so ``éli``
finds ``ELIOT`` and ``Élise`` (as last names).

The *current contract* is the running one (entered, shared or kept on
paper) that started last; without one, the newest contract not closed (a
draft, a signed contract); without one, the newest contract (closed).  Its
state is the summary's ``state`` (``None``: no contract), and its end date
the summary's ``end``.  ``review`` is the earliest review date of the
contracts not closed (what the home page showed).

Why not hypatia (the Pylons catalog): it would bring a dependency and a
catalog with a reindexing protocol of its own (an object id map, indexes
called with each object) next to the hand-kept indexes of
:mod:`portail.models.dossier` and :mod:`portail.models.worklist`; its text
index does not answer an accent-folded prefix query without a custom
lexicon; and a catalog's field-index queries intersect sets over the whole
département where a caseload is one key range.  One summary per dossier,
kept where the other indexes are kept, answers every query of the page and
serves issue 20 (docs/domain.md, *Listings*).

Summaries hold level-1 data (name, birth date): they are erased with the
dossier (:func:`forget`), and no key is left behind.
"""
from dataclasses import dataclass, fields

from BTrees.OOBTree import OOBTree

#: the contract states in which a contract runs
RUNNING = frozenset({'entered', 'shared', 'paper'})
#: how :func:`entries` marks the dossiers delegated one by one, and those of
#: an absent colleague
DELEGATION = 'delegation'
ABSENCE = 'absence'
#: the highest character: ``prefix + LAST`` closes a prefix range
LAST = '\uffff'


@dataclass(frozen=True)
class Summary:
    """What a caseload row shows of one dossier; never changed (replaced)."""

    referent: str
    #: the folded name (the index key)
    key: str
    #: ``LAST First names``, as the pages show it
    name: str
    birth_date: object
    #: the state of the current contract, ``None`` without contract
    state: object
    #: the earliest review date of the contracts not closed
    review: object
    #: the end date of the current contract
    end: object

    def __lt__(self, other):
        """A total order, for ZODB's conflict resolution: BTrees merges two
        transactions that changed different keys of one bucket only if it can
        tell, with ``<`` then ``==``, which values changed; a value that
        cannot be ordered counts as changed by both, so without this every
        two workers saving dossiers whose summaries share a bucket conflicted
        (measured: a third of the concurrent transitions were retried, and
        one of them ran out of attempts).  ``None`` sorts first, so the
        fields that may be unset never compare ``None`` with a date."""
        if not isinstance(other, Summary):
            return NotImplemented
        return _order(self) < _order(other)


def _order(summary):
    return tuple((value is not None, value)
                 for value in (getattr(summary, field.name) for field in fields(summary)))


def name_key(last_name, first_names):
    """The folded name a summary is indexed under."""
    from portail.models.dossier import normalise_name

    return f'{normalise_name(last_name)} {normalise_name(first_names)}'.strip()


def _created(contract):
    return (contract.created_at.isoformat() if contract.created_at else '', contract.__name__)


def current_contract(contracts):
    """The current contract among ``contracts`` (see the module), or ``None``."""
    contracts = list(contracts)
    running = [c for c in contracts if c.state in RUNNING]
    if running:
        return max(running, key=lambda c: (c.start_date.isoformat() if c.start_date else '',
                                           *_created(c)))
    pool = [c for c in contracts if c.state != 'closed'] or contracts
    return max(pool, key=_created) if pool else None


def summarise(dossier):
    """The :class:`Summary` of ``dossier`` as it is now (reads its contracts)."""
    contracts = list(dossier.contracts.values())
    current = current_contract(contracts)
    reviews = [c.review_date for c in contracts
               if c.review_date is not None and c.state != 'closed']
    return Summary(
        referent=dossier.referent,
        key=name_key(dossier.last_name, dossier.first_names),
        name=dossier.display_name,
        birth_date=dossier.birth_date,
        state=current.state if current is not None else None,
        review=min(reviews) if reviews else None,
        end=current.end_date if current is not None else None,
    )


def create(dossiers, checkpoint=None):
    """Create both trees and fill them from every dossier (evolve step 0015);
    ``checkpoint()`` is called every thousand dossiers (a savepoint)."""
    dossiers.summaries = OOBTree()
    dossiers.caseload_index = OOBTree()
    for count, dossier in enumerate(dossiers.values(), 1):
        refresh(dossiers, dossier)
        if checkpoint is not None and count % 1000 == 0:
            checkpoint()


def refresh(dossiers, dossier):
    """Replace ``dossier``'s summary by what it holds now; write nothing
    when it is unchanged (most changes of a contract leave it as it was)."""
    summaries = dossiers.summaries
    if summaries is None:  # a database not evolved yet: nothing to keep in step
        return
    name = dossier.__name__
    new = summarise(dossier)
    old = summaries.get(name)
    if new == old:
        return
    if old is not None and (old.referent, old.key) != (new.referent, new.key):
        dossiers.caseload_index.pop((old.referent, old.key, name), None)
    dossiers.caseload_index[(new.referent, new.key, name)] = new
    summaries[name] = new


def forget(dossiers, dossier):
    """Remove ``dossier``'s summary (the dossier is being erased)."""
    summaries = dossiers.summaries
    if summaries is None:
        return
    old = summaries.pop(dossier.__name__, None)
    if old is not None:
        dossiers.caseload_index.pop((old.referent, old.key, dossier.__name__), None)


def of_referent(dossiers, uid, prefix=''):
    """``[(dossier id, Summary)]`` of ``uid``'s dossiers whose folded name
    starts with ``prefix`` (already folded), in name order: one key range."""
    index = dossiers.caseload_index
    if index is None:
        return []
    return [(key[2], summary) for key, summary in
            index.items(min=(uid, prefix), max=(uid, prefix + LAST))]


def summary_of(dossiers, name):
    """The summary of dossier ``name``, or ``None``."""
    summaries = dossiers.summaries
    return None if summaries is None else summaries.get(name)


def entries(dossiers, uid, now, prefix=''):
    """``[(dossier id, Summary, mark)]`` of ``uid``'s caseload at ``now``
    whose folded name starts with ``prefix``: their own dossiers (mark
    ``None``), in name order, then those delegated to them one by one
    (:data:`DELEGATION`) and those of the colleagues whose absence they cover
    (:data:`ABSENCE`).  Reads index ranges and summaries only."""
    found = [(name, summary, None) for name, summary in of_referent(dossiers, uid, prefix)]
    seen = {name for name, _summary, _mark in found}
    delegated, covered = dossiers.delegated_names(uid, now)
    for name in delegated:
        summary = summary_of(dossiers, name)
        if name not in seen and summary is not None and summary.key.startswith(prefix):
            found.append((name, summary, DELEGATION))
            seen.add(name)
    for referent in covered:
        for name, summary in of_referent(dossiers, referent, prefix):
            if name not in seen:
                found.append((name, summary, ABSENCE))
                seen.add(name)
    return found
