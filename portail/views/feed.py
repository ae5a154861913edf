"""``GET /feed?after=<cursor>&limit=<n>``: the feed to the departmental
information system (docs/feed.md), for its API account only.

The account proves who it is with ``Authorization: Bearer <token>``
(:mod:`portail.auth.bearer`); no session, no cookie, no CSRF token (GET
only: nothing the request changes but the journal of what it delivers).
Answers are JSON, refusals included: 401 without a valid token, 403 for a
person's session or for the API account anywhere but here, 400 for a wrong
cursor or limit.
"""
from pyramid.view import forbidden_view_config, view_config

from portail.acl import permissions as P
from portail.auth import bearer
from portail.feed.delivery import MAX_LIMIT, BadParameter, deliver, parse
from portail.i18n import _
from portail.models.root import PortalRoot
from portail.security_log import (
    ACCESS_DENIED,
    FEED_TOKEN_REFUSED,
    access_denied,
    security_event,
)

BAD_PARAMETER = {
    'after': _('The cursor "after" must be a whole number, 0 or more.'),
    'limit': _('The limit must be a whole number from 1 to ${max}.', mapping={'max': MAX_LIMIT}),
}


def _error(request, status, message):
    request.response.status_int = status
    return {'error': request.localizer.translate(message)}


@view_config(context=PortalRoot, name='feed', request_method='GET', renderer='json',
             permission=P.READ_FEED, form_key=False)
def feed_view(request):
    try:
        cursor, limit = parse(request.GET.get('after'), request.GET.get('limit'))
    except BadParameter as wrong:
        return _error(request, 400, BAD_PARAMETER[str(wrong)])
    return deliver(request, cursor, limit)


def _refused(exc, request):
    """A refusal in JSON: 401 without a valid token (logged as
    ``feed.token-refused``), 403 for an identity the matrix refuses (logged
    as ``access.denied``)."""
    identity = request.identity
    if identity is None:
        security_event(request, FEED_TOKEN_REFUSED, user=None, reason=bearer.refusal(request),
                       view=getattr(request, 'view_name', None) or None)
        request.response.headers['WWW-Authenticate'] = 'Bearer'
        return _error(request, 401, _('A valid token of the API account is required.'))
    if identity.session is None:  # the API account, anywhere but the feed
        security_event(request, ACCESS_DENIED, user=identity.uid,
                       view=getattr(request, 'view_name', None) or None)
    else:
        access_denied(request)
    return _error(request, 403, _('This account may not read the feed.'))


@forbidden_view_config(renderer='json', header=r'Authorization:(?i:bearer)\s')
def bearer_refused(exc, request):
    """Any page refused to a request carrying a bearer token."""
    return _refused(exc, request)


@forbidden_view_config(renderer='json', path_info=r'^/feed/?$')
def feed_refused(exc, request):
    """The feed refused to a request without a bearer token (no token, or a
    person's session)."""
    return _refused(exc, request)
