"""The roles of an account (docs/domain.md, *Roles*) and the rules on combining them.

Data, read by the account model and its validator
(:mod:`portail.models.user`, :mod:`portail.views.admin`) and by the
security policy (:mod:`portail.acl.principals`, :mod:`portail.acl.policy`).
Code names a role by one of the constants below, never by a bare string
(docs/security.md, "Principals and roles").
"""

#: a social worker: référent or delegate of dossiers, writes notes
WORKER = 'worker'
#: a secretary of a district: administrative data, contract entry
SECRETARY = 'secretary'
#: the person followed, on their own dossier
BENEFICIARY = 'beneficiary'
#: a facilitator of a district's CLI: the summaries shared with it
CLI = 'cli'
#: a district manager (a département manager without district)
MANAGER = 'manager'
#: the account administrator never reaches dossier content (docs/domain.md, *Roles*)
ADMIN = 'admin'
#: the data protection officer: journals and request lists, never a file
DPO = 'dpo'

ROLES = (WORKER, SECRETARY, BENEFICIARY, CLI, MANAGER, ADMIN, DPO)

#: the account of the departmental information system, which pulls the feed of
#: entered, amended and closed contracts (docs/feed.md) with a bearer token.
#: Not one of :data:`ROLES`: the administrators' form never offers it, and no
#: person holds it; only ``portail-feed create-token`` creates such an account,
#: without a password, so it never logs in through the login form.
API_FEED = 'api_feed'

#: roles that cover the whole département and need no district
DEPARTMENT_WIDE_ROLES = frozenset({ADMIN, DPO})
#: roles that may be held with or without a district (a manager without
#: district is the département's manager: statistics of every district)
OPTIONAL_DISTRICT_ROLES = frozenset({MANAGER})

#: roles that open people's files: a dossier (référent, delegate, secretary of
#: the district, qualified manager, the person themself) or its copy for the
#: CLI.  The DPO reads journals and request lists, never a file.
FILE_OPENING_ROLES = frozenset({WORKER, SECRETARY, BENEFICIARY, CLI, MANAGER})


def incompatible_roles(roles):
    """The roles of ``roles`` that may not be held together with the others
    (sorted): the file-opening ones, when ``admin`` is among them."""
    roles = set(roles)
    if ADMIN not in roles:
        return []
    return sorted(roles & FILE_OPENING_ROLES)


def granted_roles(user):
    """The roles of ``user`` that take effect.

    An account holding ``admin`` gets nothing from a file-opening role, even
    if the stored data says it holds one (an account saved before the rule
    existed): defence in depth behind the validator.
    """
    roles = tuple(user.roles)
    if ADMIN in roles:
        return tuple(r for r in roles if r not in FILE_OPENING_ROLES)
    return roles


def holds_admin(user):
    return ADMIN in user.roles


def is_staff(user):
    """A staff account: it holds a role other than ``beneficiary`` (and the
    feed's :data:`API_FEED`, which is no person).  Only
    staff log in through the identity provider, accept the confidentiality
    charter, and may be asked for a second factor."""
    return any(role not in (BENEFICIARY, API_FEED) for role in user.roles)
