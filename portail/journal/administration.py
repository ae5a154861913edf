"""The administration journal: what account administrators did (issue 13).

Account creations, changes of roles, district or qualification, password
and second factor resets, unlocks, disablings and enablings are appended to one dedicated
chain of the journal database, :data:`CHAIN`, through the outbox of the
main database, in the transaction of the change
(:mod:`portail.journal.outbox`): the chain is hash-linked, anchored,
verified and purged like every other (:mod:`portail.journal.verify`), and
no undo or pack of the main database touches it.  The DPO reads it (``/administration-journal``).

An entry names the administrator (the acting uid), the account concerned
(``user:<uid>``, pseudonymous) and, for a creation or a change of roles,
the roles, district id and qualification the account was given: ids and
codes, never free text.
"""
from portail.clock import utcnow
from portail.journal import outbox

#: the key of the administration chain (dossier chains are 24 hex digits,
#: a user's other actions ``~<uid>``: no key can collide with it)
CHAIN = 'administration'

ACCOUNT_CREATED = 'account-created'
ROLES_CHANGED = 'roles-changed'
PASSWORD_RESET = 'password-reset'  # noqa: S105 (an action name)
UNLOCKED = 'unlocked'
DISABLED = 'disabled'
ENABLED = 'enabled'
SECOND_FACTOR_RESET = 'second-factor-reset'
ACTIONS = (ACCOUNT_CREATED, ROLES_CHANGED, PASSWORD_RESET, UNLOCKED, DISABLED, ENABLED,
           SECOND_FACTOR_RESET)
#: a new version of the confidentiality charter (issue 18); its object is
#: ``charter:<version number>``, not an account
CHARTER_PUBLISHED = 'charter-published'
CHARTER_OBJECT = 'charter:'

#: separates the parts of a detail: roles, district id, qualification
SEPARATOR = '|'
QUALIFIED = 'qualified'


def privileges_detail(account):
    """``worker,secretary|<district id>|qualified``: what the account now holds."""
    return SEPARATOR.join((','.join(account.roles), account.district or '',
                           QUALIFIED if account.qualified_social_worker else ''))


def parse_detail(detail):
    """``(roles, district id or None, qualified)`` of a :func:`privileges_detail`,
    or ``None`` for an entry without one."""
    parts = detail.split(SEPARATOR)
    if len(parts) != 3:
        return None
    roles, district, qualified = parts
    return tuple(r for r in roles.split(',') if r), district or None, qualified == QUALIFIED


def record_admin_action(request, account, action):
    """Journal ``action`` on ``account`` by the request's user for the
    administration chain, through the outbox, in the request's transaction."""
    if action not in ACTIONS:
        raise ValueError(action)
    detail = privileges_detail(account) if action in (ACCOUNT_CREATED, ROLES_CHANGED) else ''
    uid = request.authenticated_userid or 'system'
    outbox.add(request, (CHAIN, utcnow(request.registry), uid, '', f'user:{account.uid}',
                         action, 0, detail))


def record_charter_published(request, number):
    """Journal the publication of version ``number`` of the confidentiality
    charter by the request's user, like an action on an account."""
    uid = request.authenticated_userid or 'system'
    outbox.add(request, (CHAIN, utcnow(request.registry), uid, '',
                         f'{CHARTER_OBJECT}{number}', CHARTER_PUBLISHED, 0, ''))
