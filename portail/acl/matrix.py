"""The access matrix: who holds which permission on what, for every kind of
content of the portal, in one table (docs/security.md, "The matrix").

Read :data:`MATRIX` as ``MATRIX[kind][state][principal] -> permissions``:

- *kind* names a kind of object of the tree (``'dossier'``, ``'note'``,
  ``'contract'``...; :data:`KINDS`);
- *state* is the object's workflow state (a contract's ``'draft'``,
  ``'signed'``...), or its visibility for a note (``'plain'`` or
  ``'third_party'``); a kind without states has the one state :data:`ANY`;
- *principal* is an account principal (``role:worker``, ``portail:active``,
  :mod:`portail.acl.principals`) or a local role computed for the object
  (``local:referent``, :mod:`portail.acl.localroles`);
- *permissions* are names of :mod:`portail.acl.permissions`.

Every ``__acl__`` of the portal is :func:`acl` of its kind and state: the
grants of the matrix, then ``DENY_ALL``, except for the kinds of
:data:`INHERITING`, whose parent's ACL answers what they do not grant.  An
ACL is built once per (kind, state) and shared: it is immutable data.
Nothing is stored on the objects, so a change of this table takes effect at
the next request, with no script to run.
"""
from pyramid.authorization import DENY_ALL, Allow, Authenticated

from portail.acl import localroles as L
from portail.acl import permissions as P
from portail.acl import principals as pr
from portail.acl import roles as R

#: the state of a kind of object without states
ANY = '*'

#: the référent and their active delegates act alike (docs/domain.md, *Confidentiality levels*)
_ACTING = (L.REFERENT, L.DELEGATE)
_BENEFICIARY_ON_CONTRACT = {P.VIEW_CONTRACT, P.GIVE_CONSENT}
_NOTE_READING = {P.VIEW_NOTE, P.VIEW_NOTE_EXISTENCE}
_DEPARTMENT_STATISTICS = {P.VIEW_STATISTICS, P.READ_DEPARTMENT_STATISTICS}

#: kind → state → principal(s) → permissions, as written; a key of several
#: principals gives each of them the permissions (:data:`MATRIX` spells it out)
_DECLARED = {
    # the portal root: what every active account may do, and the DPO's lists
    'root': {ANY: {
        pr.ACTIVE: {P.VIEW_HOME},
        pr.role(R.WORKER): {P.MANAGE_OWN_ABSENCE},
        pr.role(R.DPO): {P.VIEW_ALL_JOURNALS, P.VIEW_ALL_REQUESTS,
                         P.VIEW_ADMINISTRATION_JOURNAL},
        Authenticated: {P.CHANGE_PASSWORD, P.MANAGE_OWN_SECOND_FACTOR, P.LOGOUT},
        pr.role(R.ADMIN): {P.MANAGE_ACCOUNTS},
        # the feed to the departmental information system (docs/feed.md): its
        # API account, which holds nothing else anywhere
        pr.role(R.API_FEED): {P.READ_FEED},
    }},
    # /charter (issue 18): every account reads it (a staff account must accept
    # it before anything else); the administrator publishes a new version;
    # the DPO lists who accepted which version
    'charter': {ANY: {
        Authenticated: {P.READ_CHARTER},
        pr.role(R.ADMIN): {P.MANAGE_CHARTER},
        pr.role(R.DPO): {P.VIEW_CHARTER_ACCEPTANCES},
    }},
    # /users, one account, /districts: account administrators only
    'users': {ANY: {pr.role(R.ADMIN): {P.MANAGE_ACCOUNTS}}},
    'user': {ANY: {pr.role(R.ADMIN): {P.MANAGE_ACCOUNTS}}},
    'districts': {ANY: {pr.role(R.ADMIN): {P.MANAGE_ACCOUNTS}}},
    # one district: its qualified managers list its dossiers by référent and
    # move caseloads; its administration stays the account administrators'
    'district': {ANY: {L.MANAGER: {P.MANAGE_CASELOADS}}},
    # /dossiers: workers look up and create; secretaries look up
    'dossiers': {ANY: {
        pr.role(R.WORKER): {P.LOOKUP, P.CREATE_DOSSIER, P.REQUEST_TRANSFER,
                            P.VIEW_CASELOAD},
        pr.role(R.SECRETARY): {P.LOOKUP},
    }},
    # one person's file (level 2), its rights requests included
    'dossier': {ANY: {
        L.REFERENT: {P.VIEW_DOSSIER, P.EDIT_IDENTITY, P.EDIT_ADMIN, P.ADD_CONTRACT,
                     P.MANAGE_DELEGATION, P.ADD_NOTE, P.MANAGE_BENEFICIARY_ACCOUNT,
                     P.EXPORT_DOSSIER, P.VIEW_REQUESTS, P.ANSWER_REQUEST,
                     P.PRODUCE_LETTER, P.VIEW_LETTER},
        L.DELEGATE: {P.VIEW_DOSSIER, P.EDIT_IDENTITY, P.EDIT_ADMIN, P.ADD_CONTRACT,
                     P.MANAGE_BENEFICIARY_ACCOUNT, P.EXPORT_DOSSIER, P.VIEW_REQUESTS,
                     P.ANSWER_REQUEST, P.PRODUCE_LETTER, P.VIEW_LETTER},
        L.NOTES_DELEGATE: {P.ADD_NOTE},
        # the letters (issue 17): the référent and delegates produce them, the
        # person reads theirs; nobody else
        L.BENEFICIARY: {P.VIEW_DOSSIER, P.VIEW_DOSSIER_JOURNAL, P.EXPORT_DOSSIER,
                        P.VIEW_REQUESTS, P.MAKE_REQUEST, P.UPDATE_OWN_CONTACT,
                        P.VIEW_LETTER},
        L.SECRETARY: {P.VIEW_DOSSIER, P.EDIT_ADMIN},
        L.MANAGER: {P.VIEW_DOSSIER, P.REASSIGN, P.MANAGE_DELEGATION},
    }},
    # a working note (level 3): its author, the colleagues granted it, the
    # référent's notes-delegate, and the beneficiary unless the note holds
    # third-party information (then only its existence); never anyone else
    'note': {
        'plain': {
            L.NOTE_AUTHOR: {P.VIEW_NOTE, P.VIEW_NOTE_EXISTENCE, P.EDIT_NOTE, P.SHARE_NOTE},
            (L.NOTE_READER, L.REFERENT_NOTE_READER, L.BENEFICIARY): _NOTE_READING,
        },
        'third_party': {
            L.NOTE_AUTHOR: {P.VIEW_NOTE, P.VIEW_NOTE_EXISTENCE, P.EDIT_NOTE, P.SHARE_NOTE},
            (L.NOTE_READER, L.REFERENT_NOTE_READER): _NOTE_READING,
            L.BENEFICIARY: {P.VIEW_NOTE_EXISTENCE},
        },
    },
    # a request to transfer a dossier to a worker of another district (issue 16):
    # answered by the dossier's référent or a qualified manager of its district
    # (never a delegate); the requester reads it, never the dossier itself
    'transfer': {
        'open': {
            (L.REFERENT, L.MANAGER): {P.VIEW_TRANSFER, P.ANSWER_TRANSFER},
            L.TRANSFER_REQUESTER: {P.VIEW_TRANSFER},
        },
        'accepted': {(L.REFERENT, L.MANAGER, L.TRANSFER_REQUESTER): {P.VIEW_TRANSFER}},
        'refused': {(L.REFERENT, L.MANAGER, L.TRANSFER_REQUESTER): {P.VIEW_TRANSFER}},
    },
    # the insertion contract, by workflow state (docs/domain.md, *Workflow*)
    'contract': {
        'draft': {
            _ACTING: {P.VIEW_CONTRACT, P.EDIT_CONTRACT, P.RECORD_SIGNATURE, P.CLOSE,
                      P.RECORD_CONSENT},
            L.BENEFICIARY: _BENEFICIARY_ON_CONTRACT | {P.SIGN},
            L.MANAGER: {P.VIEW_CONTRACT},
        },
        'signed': {
            _ACTING: {P.VIEW_CONTRACT, P.ENTER, P.KEEP_ON_PAPER, P.AMEND, P.CLOSE,
                      P.RECORD_CONSENT},
            L.BENEFICIARY: _BENEFICIARY_ON_CONTRACT,
            L.SECRETARY: {P.VIEW_CONTRACT},
            L.ENTERING_SECRETARY: {P.ENTER},
            L.MANAGER: {P.VIEW_CONTRACT},
        },
        'entered': {
            _ACTING: {P.VIEW_CONTRACT, P.SHARE, P.AMEND, P.CLOSE, P.RECORD_CONSENT},
            L.BENEFICIARY: _BENEFICIARY_ON_CONTRACT,
            L.SECRETARY: {P.VIEW_CONTRACT},
            L.MANAGER: {P.VIEW_CONTRACT},
        },
        'shared': {
            _ACTING: {P.VIEW_CONTRACT, P.UNSHARE, P.AMEND, P.CLOSE, P.RECORD_CONSENT},
            L.BENEFICIARY: _BENEFICIARY_ON_CONTRACT,
            L.SECRETARY: {P.VIEW_CONTRACT},
            L.MANAGER: {P.VIEW_CONTRACT},
            L.CLI: {P.CLI_OPINION},
        },
        'paper': {
            _ACTING: {P.VIEW_CONTRACT, P.AMEND, P.CLOSE, P.RECORD_CONSENT},
            L.BENEFICIARY: _BENEFICIARY_ON_CONTRACT,
            L.MANAGER: {P.VIEW_CONTRACT},
        },
        'closed': {
            _ACTING: {P.VIEW_CONTRACT},
            L.BENEFICIARY: {P.VIEW_CONTRACT},
            L.MANAGER: {P.VIEW_CONTRACT},
        },
    },
    # /cli: nobody; /cli/<district> and its summaries: that district's facilitators
    'cli': {ANY: {}},
    'cli_district': {ANY: {L.CLI: {P.VIEW_CLI_WORKLIST, P.CLI_OPINION}}},
    # /cli/<district>/sessions and each commission session: the same
    # facilitators, who alone plan them (agenda, opinions, minutes)
    'cli_session': {ANY: {L.CLI: {P.VIEW_CLI_WORKLIST, P.CLI_OPINION,
                                  P.MANAGE_CLI_SESSIONS}}},
    # /statistics: CLI facilitators, managers, and the département's figures for
    # the DPO and the département manager; /statistics/<district>: that
    # district's facilitators and managers only (never the DPO: the
    # département's totals would give a small district's counts away)
    'statistics': {ANY: {
        pr.role(R.CLI): {P.VIEW_STATISTICS},
        pr.role(R.MANAGER): {P.VIEW_STATISTICS},
        pr.role(R.DPO): _DEPARTMENT_STATISTICS,
        pr.DEPARTMENT_MANAGER: _DEPARTMENT_STATISTICS,
    }},
    'statistics_district': {ANY: {
        L.STATISTICS_READER: {P.VIEW_STATISTICS, P.READ_STATISTICS},
    }},
}

#: kinds whose ACL does not end with ``DENY_ALL``: what they do not grant,
#: the ACL of their parent answers (the root's, which ends with it)
INHERITING = frozenset({'users', 'user', 'districts', 'district'})


def _spell_out(declared):
    """``kind → state → principal → frozenset(permissions)``, one principal a key."""
    matrix = {}
    for kind, states in declared.items():
        matrix[kind] = {}
        for state, grants in states.items():
            row = matrix[kind][state] = {}
            for principals, permissions in grants.items():
                for principal in principals if isinstance(principals, tuple) else (principals,):
                    row[principal] = frozenset(permissions)
    return matrix


#: THE matrix: kind → state → principal → frozenset of permissions
MATRIX = _spell_out(_DECLARED)
#: every kind of object the matrix knows
KINDS = frozenset(MATRIX)

#: (kind, state) → the ACL built from the matrix (see :func:`acl`)
_ACLS = {}


def build_acl(grants, final=True):
    """The ACL of one row of the matrix: ``principal → permissions``, sorted
    by principal, each permission list sorted, then ``DENY_ALL`` if ``final``.

    Every entry allows: their order changes nothing but is fixed, so two ACLs
    of the same grants are equal."""
    aces = [(Allow, principal, tuple(sorted(permissions)))
            for principal, permissions in sorted(grants.items())]
    if final:
        aces.append(DENY_ALL)
    return tuple(aces)


def acl(kind, state=ANY):
    """The ACL of an object of ``kind`` in ``state``, built once and shared."""
    key = (kind, state)
    found = _ACLS.get(key)
    if found is None:
        found = _ACLS[key] = build_acl(MATRIX[kind][state], kind not in INHERITING)
    return found


def grants(kind, state=ANY):
    """``principal → frozenset(permissions)`` of ``kind`` in ``state``."""
    return MATRIX[kind][state]


class ComputedACL:
    """The ``__acl__`` of a class of objects of ``kind``: ``__acl__ =
    ComputedACL('dossier')``, or with a function of the object that returns
    its state, ``ComputedACL('contract', lambda contract: contract.state)``.

    A data descriptor: it wins over an ``__acl__`` stored on an object by
    older code (evolve step ``0010`` removes those), and refuses to be set.
    While ``state_of`` returns ``None`` (an object not in a workflow yet) the
    ACL is empty: the parent's ACL answers.
    """

    def __init__(self, kind, state_of=None):
        if kind not in KINDS:
            raise ValueError(f'the access matrix has no kind {kind!r}')
        self.kind = kind
        self.state_of = state_of

    def __get__(self, obj, cls=None):
        if obj is None:
            if self.state_of is None:
                return acl(self.kind)
            return self
        if self.state_of is None:
            return acl(self.kind)
        state = self.state_of(obj)
        return () if state is None else acl(self.kind, state)

    def __set__(self, obj, value):
        raise AttributeError('an ACL is computed from the access matrix, never set')
