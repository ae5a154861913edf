"""Error pages: clear French pages, never a traceback
(docs/domain.md, *Security rules* and *Interface*).

Forbidden pages also route people: an anonymous visitor goes to the login
page (told why if a session just ended); an account that must change its
password goes to the password page.
"""
import logging

from pyramid.exceptions import BadCSRFToken
from pyramid.httpexceptions import HTTPFound
from pyramid.response import Response
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config
from ZEO.Exceptions import ClientDisconnected

from portail.auth import sessions, steps
from portail.badinput import BadInput
from portail.conflicts import EditConflict
from portail.i18n import _
from portail.ingress import REFUSED_ADDRESS
from portail.models.root import DatabaseNotInitialised
from portail.outage import unavailable_page
from portail.security_log import access_denied, csrf_refused
from portail.timefmt import format_datetime
from portail.views.layout import render_bare

log = logging.getLogger(__name__)

ERROR_TEMPLATE = 'portail:templates/error.pt'


def error_page(request, status, title, message):
    request.response.status_int = status
    return {'title': title, 'message': message, 'status': status}


@forbidden_view_config(renderer=ERROR_TEMPLATE)
def forbidden_view(exc, request):
    identity = sessions.current_identity(request)
    root_url = request.application_url + '/'
    if identity is None:
        reason = sessions.ended_reason(request)
        query = f'?reason={reason}' if reason else ''
        return HTTPFound(root_url + 'login' + query)
    if not identity.ready:
        return HTTPFound(root_url + steps.STEP_VIEWS[identity.pending_step])
    access_denied(request)
    return error_page(request, 403, _('Access refused'), _(
        'You do not have the right to open this page. If you think you should, ask '
        'the person in charge of your access.'))


@notfound_view_config(renderer=ERROR_TEMPLATE)
def notfound_view(exc, request):
    return error_page(request, 404, _('Page not found'), _(
        'This page does not exist, or no longer exists.'))


@exception_view_config(BadCSRFToken, renderer=ERROR_TEMPLATE)
def csrf_view(exc, request):
    csrf_refused(request)
    return error_page(request, 400, _('Form expired'), _(
        'This form has expired or was not sent from the portal. Go back, reload the '
        'page and try again: nothing was changed.'))


@exception_view_config(BadInput, renderer=ERROR_TEMPLATE)
def bad_input_view(exc, request):
    """A request refused as a whole (:mod:`portail.badinput`): its 4xx page."""
    environ = request.environ
    log.info('Refused %s %r: %s', request.method,
             environ.get(REFUSED_ADDRESS, environ.get('PATH_INFO')), type(exc).__name__)
    return error_page(request, exc.status, exc.title, exc.message)


@exception_view_config(EditConflict, renderer=ERROR_TEMPLATE)
def conflict_view(exc, request):
    obj = exc.context
    who = request.root.users.get(getattr(obj, 'modified_by', None))
    return error_page(request, 409, _('Changed in the meantime'), _(
        'While you were working, ${who} saved this page (${when}). Your changes were '
        'not recorded, so as not to overwrite theirs. Go back to the page, read the '
        'new version and make your change again.',
        mapping={'who': who.fullname if who is not None else '?',
                 'when': format_datetime(getattr(obj, 'modified_at', None))}))


@exception_view_config(DatabaseNotInitialised, renderer=ERROR_TEMPLATE)
def not_initialised_view(exc, request):
    render_bare(request)
    log.error('The database is not initialised: run portail-init.')
    return error_page(request, 503, _('Service unavailable'), _(
        'The portal is being set up. Please come back later.'))


@exception_view_config(ClientDisconnected, renderer=ERROR_TEMPLATE)
def storage_unavailable_view(exc, request):
    """The storage (ZEO) is out of reach: a 503 at once, never retried, saying
    whether a form's action may have been recorded (:mod:`portail.outage`)."""
    render_bare(request)
    title, message = unavailable_page(request)
    return error_page(request, 503, title, message)


@exception_view_config(Exception, retryable_error=True, last_retry_attempt=False)
def retry_pending_view(exc, request):
    """A conflict that ``pyramid_retry`` is about to retry: its response is
    thrown away, so nothing is rendered, and it is no error (a busy portal has
    some); only a failed last attempt reaches :func:`server_error_view`."""
    log.info('Retrying %s %s after %s', request.method, request.path_info,
             type(exc).__name__)
    return Response(status=503)


@exception_view_config(Exception, renderer=ERROR_TEMPLATE)
def server_error_view(exc, request):
    render_bare(request)  # the failure may be the database itself
    # the raw path: an error must not stop its own page
    log.exception('Unexpected error on %s %r', request.method, request.environ.get('PATH_INFO'))
    return error_page(request, 500, _('Unexpected error'), _(
        'Something went wrong on our side; nothing was saved. Please try again in a '
        'moment. If it happens again, tell the account administrator.'))

