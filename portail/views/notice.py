"""The public information notice on the processing
(docs/domain.md, *Workflow* and *Pages and requests*)."""
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from portail.models.root import PortalRoot


@view_config(context=PortalRoot, name='notice', renderer='portail:templates/notice.pt',
             permission=NO_PERMISSION_REQUIRED)
def notice_view(request):
    return {}
