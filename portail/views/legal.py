"""The legal pages, public and linked from the footer of every page (issue
18): the accessibility statement (``/accessibility``, RGAA 4.1) and the legal
notice (``/legal``, *mentions légales*).  The information notice is
:mod:`portail.views.notice`.  Their facts come from the settings through
``ui.legal`` (:mod:`portail.legal`); the templates hold the words.
"""
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from portail.models.root import PortalRoot


@view_config(context=PortalRoot, name='accessibility',
             renderer='portail:templates/accessibility.pt', permission=NO_PERMISSION_REQUIRED)
def accessibility_view(request):
    """The accessibility statement: conformity status, pages audited and how,
    known non-conformities, contact and recourse."""
    return {}


@view_config(context=PortalRoot, name='legal', renderer='portail:templates/legal.pt',
             permission=NO_PERMISSION_REQUIRED)
def legal_view(request):
    """The legal notice: publisher, director of publication, host, licence."""
    return {}
