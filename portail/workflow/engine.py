"""A small generic workflow engine, after Plone's DCWorkflow.

A :class:`Workflow` is data: states, transitions, and a *state permission
table* saying, for each state, which principals hold which permissions: the
rows of the object's kind in the access matrix (:mod:`portail.acl.matrix`).
The object's ``__acl__`` is computed from its current state by the matrix,
never stored (so views only declare permissions and never test a state); at
every transition a record is appended to the object's history, whose last
target always equals the current state.

Each :class:`Transition` carries what a page needs to offer it: its label,
a help text, the schema of the options it asks for, the channel it records;
a view runs any transition from these, and knows none by name
(docs/security.md, "Workflow states").

A transition runs in this order, and nothing is changed unless every check
passes: source state, permission (unless the system runs it), guards (each
returns ``None`` or a translation string naming what is missing), then
``before`` callbacks and :class:`BeforeTransition`, the state change and its
history record, then ``after`` callbacks and :class:`AfterTransition`.
"""
from dataclasses import dataclass, field

from pyramid.httpexceptions import HTTPForbidden

from portail.acl.matrix import build_acl
from portail.acl.policy import permissions_on, permits_with_acl
from portail.clock import utcnow
from portail.i18n import _


class WorkflowError(Exception):
    """A transition that cannot run; ``message`` says why, for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Transition:
    """One transition, with everything a page needs to offer it.

    A view offers any transition from these fields alone (the label, the help
    text, the fields of ``options``, the channel) and knows none by name.
    """

    name: str
    #: its label: the menu entry, the page title, the button
    title: object
    sources: tuple
    target: str
    permission: str
    guards: tuple = ()
    before: tuple = ()
    after: tuple = ()
    #: shown in the contract's menu (False: run from another page or by the system)
    menu: bool = True
    #: what the confirmation page says of its consequences (a translation string)
    help: object = None
    #: the colander schema class of what the page asks before running it; the
    #: values are passed to the guards and callbacks as keyword options
    options: object = None
    #: the channel its history record names (``online``, ``paper``), if any
    channel: str = ''
    #: the confirmation page shows the object's content first (what is signed)
    shows_content: bool = False
    #: the view name of the page that runs it, when it has one of its own
    #: (``''``: the generic transition page)
    page: str = ''

    def options_schema(self):
        """A new instance of the options schema, or ``None``."""
        return None if self.options is None else self.options()


@dataclass
class TransitionEvent:
    """Sent before and after a transition: ``context``, ``request``, ``transition``."""

    context: object
    request: object
    transition: Transition
    source: str
    options: dict = field(default_factory=dict)


class BeforeTransition(TransitionEvent):
    pass


class AfterTransition(TransitionEvent):
    pass


@dataclass(frozen=True)
class HistoryRecord:
    """One line of a history: who did what, when, relying on which consent."""

    transition: str
    source: str
    target: str
    actor: str
    at: object
    comment: str = ''
    consent: str = ''
    channel: str = ''


class Workflow:
    """States, transitions and the state × principal × permission table."""

    def __init__(self, name, initial, states, transitions, table, common_guards=()):
        self.name = name
        #: guards of every transition a person runs (not those the portal runs itself)
        self.common_guards = tuple(common_guards)
        self.initial = initial
        self.states = dict(states)
        self.transitions = {t.name: t for t in transitions}
        #: state → principal → permissions (the matrix's rows of the kind)
        self.table = table
        for t in transitions:
            unknown = set(t.sources + (t.target,)) - set(self.states)
            if unknown:
                raise ValueError(f'transition {t.name} uses unknown states {unknown}')
        if set(table) != set(self.states):
            raise ValueError('the permission table must list every state')

    def acl_for(self, state):
        """The ACL of an object in ``state``: the table's grants, then deny all
        (what the object's computed ``__acl__`` answers in that state)."""
        return build_acl(self.table[state])

    def permits_after(self, context, request, state, permission):
        """Whether the user would hold ``permission`` on ``context`` once it
        is in ``state`` (the matrix's row of that state, the same principals):
        a page that runs a transition asks it before offering the next one."""
        return permits_with_acl(request, context, self.acl_for(state), permission)

    def initialise(self, context, request, comment='', channel=''):
        """Put a new object in the initial state, with its first history record."""
        context.state = self.initial
        self._record(context, request, self.initial, '', self.initial, comment, channel=channel)

    def possible(self, context, request):
        """Transitions from the current state that the user may run (the menu)."""
        candidates = [t for t in self.transitions.values()
                      if t.menu and context.state in t.sources]
        allowed = permissions_on(request, context, {t.permission for t in candidates})
        return [t for t in candidates if allowed[t.permission]]

    def check(self, context, request, name, system=False, **options):
        """Return the transition ``name`` if it may run now; else raise."""
        transition = self.transitions.get(name)
        if transition is None or context.state not in transition.sources:
            raise WorkflowError(_('This action is not possible in the current state.'))
        if not system and not request.has_permission(transition.permission, context):
            raise HTTPForbidden()
        guards = transition.guards if system else self.common_guards + transition.guards
        for guard in guards:
            problem = guard(context, request, **options)
            if problem is not None:
                raise WorkflowError(problem)
        return transition

    def execute(self, context, request, name, comment='', system=False, consent='',
                channel='', **options):
        """Run transition ``name`` on ``context``; return the new state."""
        transition = self.check(context, request, name, system=system, **options)
        source = context.state
        for callback in transition.before:
            callback(context, request, **options)
        request.registry.notify(BeforeTransition(context, request, transition, source, options))
        context.state = transition.target
        self._record(context, request, name, source, transition.target, comment,
                     consent=consent, channel=channel, system=system)
        for callback in transition.after:
            callback(context, request, **options)
        request.registry.notify(AfterTransition(context, request, transition, source, options))
        return context.state

    def _record(self, context, request, name, source, target, comment, consent='',
                channel='', system=False):
        actor = 'system' if system else (request.authenticated_userid or 'system')
        context.history.append(HistoryRecord(
            transition=name, source=source, target=target, actor=actor,
            at=utcnow(request.registry), comment=comment, consent=consent, channel=channel))
