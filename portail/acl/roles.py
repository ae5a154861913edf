"""The roles of an account (docs/domain.md, *Roles*) and the rules on combining them.

Data, read by the account model and its validator
(:mod:`portail.models.user`, :mod:`portail.views.admin`) and by the
security policy (:mod:`portail.acl.principals`, :mod:`portail.acl.policy`).
"""

ROLES = ('worker', 'secretary', 'beneficiary', 'cli', 'manager', 'admin', 'dpo')

#: roles that cover the whole département and need no district
DEPARTMENT_WIDE_ROLES = frozenset({'admin', 'dpo'})
#: roles that may be held with or without a district (a manager without
#: district is the département's manager: statistics of every district)
OPTIONAL_DISTRICT_ROLES = frozenset({'manager'})

#: roles that open people's files: a dossier (référent, delegate, secretary of
#: the district, qualified manager, the person themself) or its copy for the
#: CLI.  The DPO reads journals and request lists, never a file.
FILE_OPENING_ROLES = frozenset({'worker', 'secretary', 'beneficiary', 'cli', 'manager'})

#: the account administrator never reaches dossier content (docs/domain.md, *Roles*)
ADMIN = 'admin'


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
