"""Journaling by declaration: the ``journal`` view option.

A view on dossier content declares what it journals of its context:

- ``journal='read'``: once the view has returned (whatever page or redirect
  it answers), the read of the context is journaled in the person's chain,
  with the object name and level of :func:`journal_subject`.  A view that
  raises journals nothing (its transaction is aborted, and read entries are
  only committed after the request's own commit, see
  :mod:`portail.journal.writer`).
- ``journal=False``: the view journals no read of its context by
  declaration; what it journals (a change, or the read of another object than
  its context) it records by hand with :mod:`portail.journal.record`.

Every view whose context is dossier content (:data:`DOSSIER_CONTENT`) must
declare one of the two: :func:`undeclared_views` lists those that do not, and
the test suite fails for any of them, so that a new view cannot silently
leave a read out of the person's journal.
"""
from pyramid.exceptions import ConfigurationError

from portail.journal.record import READ, record_once
from portail.letters.model import Letter
from portail.models.cli import CliSummary
from portail.models.container import DossierItem
from portail.models.contract import Contract
from portail.models.dossier import Dossier
from portail.models.note import Note
from portail.models.request import RightsRequest
from portail.models.transfer import TransferRequest

#: The classes of the objects whose reads are journaled in a dossier's chain.
DOSSIER_CONTENT = (Dossier, DossierItem, CliSummary)

#: The values the ``journal`` view option accepts.
DECLARATIONS = ('read', False)


def journal_subject(context):
    """``(dossier id, object name, level)`` of the journal entries about ``context``.

    Raises :class:`TypeError` for an object that is not dossier content."""
    if isinstance(context, Dossier):
        return context.__name__, 'dossier', 2
    if isinstance(context, Contract):
        return context.dossier.__name__, f'contract:{context.__name__}', 2
    if isinstance(context, Note):
        return context.dossier.__name__, f'note:{context.__name__}', 3
    if isinstance(context, RightsRequest):
        return context.dossier.__name__, f'request:{context.__name__}', 2
    if isinstance(context, TransferRequest):
        return context.dossier.__name__, f'transfer:{context.__name__}', 1
    if isinstance(context, Letter):
        return context.dossier.__name__, f'letter:{context.__name__}', 2
    if isinstance(context, CliSummary):
        return context.contract_ref[0], f'cli-summary:{context.__name__}', 2
    raise TypeError(f'no journal subject for {type(context).__name__}')


def journal_read(request, context):
    """Journal (once in the request) the read of ``context`` by ``request``'s user.

    For a view that shows its context on some paths only, e.g. a POST view
    that shows the page again with an error; ``journal='read'`` does it for
    every view that always shows its context."""
    dossier, obj, level = journal_subject(context)
    record_once(request, dossier, obj, READ, level)


def journaled_read(view, info):
    """The view deriver of the ``journal`` option (see the module docstring)."""
    declared = info.options.get('journal')
    if declared is None or declared is False:
        return view
    if declared not in DECLARATIONS:
        raise ConfigurationError(
            f'journal={declared!r}: the journal view option takes one of {DECLARATIONS!r}')
    context = info.options.get('context')
    if not is_dossier_content(context):
        raise ConfigurationError(
            f"journal='read' needs a dossier content context, not {context!r}")

    def journal_read_view(context, request):
        response = view(context, request)
        journal_read(request, context)
        return response

    return journal_read_view


journaled_read.options = ('journal',)


def is_dossier_content(context):
    """Whether a view registered for ``context`` (a class, an interface or
    ``None``) is a view on dossier content."""
    return isinstance(context, type) and issubclass(context, DOSSIER_CONTENT)


def undeclared_views(introspector):
    """The ``(context, view name, callable)`` of the registered views on dossier
    content that declare no ``journal`` option."""
    found = []
    for intr in introspector.get_category('views'):
        view = intr['introspectable']
        if is_dossier_content(view['context']) and 'journal' not in view:
            found.append((view['context'], view['name'], view['callable']))
    return found


def includeme(config):
    config.add_view_deriver(journaled_read)
