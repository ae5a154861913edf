"""The whole "À traiter" of a social worker (or of a qualified manager), 50
rows a page, by deadline; the home page shows only the most urgent rows and
links here (issue 16).  The rows come from :mod:`portail.views.pending`."""
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.auth.sessions import current_identity
from portail.i18n import _
from portail.models.root import PortalRoot
from portail.paging import listing, requested_page
from portail.views.pending import has_pending_work, pending_count, pending_work

#: the query-string parameter of the page number
PAGE = 'page'
#: what the navigation between the pages is called (aria-label)
PAGER_LABEL = _('Pages of the work waiting for you')


@view_config(context=PortalRoot, name='pending', renderer='portail:templates/pending.pt',
             permission=P.VIEW_HOME)
def pending_view(request):
    identity = current_identity(request)
    if not has_pending_work(request, identity):
        return {'rows': None, 'pager_label': PAGER_LABEL}
    page = requested_page(request, PAGE, pending_count(request, identity))
    rows = pending_work(request, identity, limit=page.start + page.size)
    return {'rows': listing(rows[page.start:page.start + page.size], page,
                            lambda n: request.resource_url(request.root, 'pending',
                                                           query={PAGE: n})),
            'pager_label': PAGER_LABEL}
