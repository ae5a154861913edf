"""The public information notice on the processing
(docs/domain.md, *Workflow* and *Pages and requests*; docs/legal.md).

The notice holds what GDPR article 13 requires: the controller and its data
protection officer, the purposes, the legal basis, the recipients (the CLI's
fields among them), the retention periods, the rights and where they are
used, the right to complain to the CNIL.  Its facts come from the settings
(``ui.legal``, :mod:`portail.legal`), so the same macro prints it in every
paper contract."""
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from portail.models.root import PortalRoot


@view_config(context=PortalRoot, name='notice', renderer='portail:templates/notice.pt',
             permission=NO_PERMISSION_REQUIRED)
def notice_view(request):
    return {}


@view_config(context=PortalRoot, name='notice-simple',
             renderer='portail:templates/notice_simple.pt', permission=NO_PERMISSION_REQUIRED)
def notice_simple_view(request):
    """The same notice in easy-to-read French (the "FALC" rules: short
    sentences, one idea each, no abbreviation; issue 17), linked from the
    footer of every page."""
    return {}
