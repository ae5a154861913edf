"""Each role's home page (SPEC §9).

An administrator lands on the accounts; the other roles' home pages are
built by later issues (caseload, entry queue, contracts, worklist) and say
so meanwhile.
"""
from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.auth.sessions import current_identity
from portail.i18n import _
from portail.models.root import PortalRoot

#: the home section of each role, in the order they are shown
ROLE_SECTIONS = {
    'worker': (_('My caseload'), _(
        'The list of the dossiers you follow (as référent or delegate) comes with the '
        'dossiers and contracts module, which is not available yet.')),
    'secretary': (_('Contracts to enter'), _(
        'The queue of signed contracts of your district comes with the contracts module, '
        'which is not available yet.')),
    'beneficiary': (_('My contracts'), _(
        'Your contracts, their history and your consents will appear here once the '
        'contracts module is available.')),
    'cli': (_('CLI worklist'), _(
        'The summaries shared with your CLI will appear here once the CLI module is '
        'available.')),
    'manager': (_('My district'), _(
        'The anonymous statistics of your district will appear here once the statistics '
        'module is available.')),
    'dpo': (_('Data protection'), _(
        'Access journals and rights requests will appear here once these modules are '
        'available.')),
}

ROLE_LABELS = {
    'worker': _('social worker'),
    'secretary': _('secretary'),
    'beneficiary': _('beneficiary'),
    'cli': _('CLI facilitator'),
    'manager': _('district manager'),
    'admin': _('account administrator'),
    'dpo': _('data protection officer'),
}


@view_config(context=PortalRoot, name='', renderer='portail:templates/home.pt',
             permission=P.VIEW_HOME)
def home_view(request):
    identity = current_identity(request)
    roles = identity.user.roles
    if roles == ('admin',):
        return HTTPFound(request.resource_url(request.root.users))
    sections = [ROLE_SECTIONS[r] for r in ROLE_SECTIONS if r in roles]
    return {
        'fullname': identity.user.fullname,
        'roles': [ROLE_LABELS[r] for r in roles],
        'sections': sections,
        'is_admin': 'admin' in roles,
    }
