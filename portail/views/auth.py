"""Login, logout, password change and language switch (docs/domain.md, *Security rules*)."""
import colander
import deform
from pyramid.httpexceptions import HTTPFound, HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED, forget
from pyramid.view import view_config
from webob.cookies import make_cookie

from portail.acl import permissions as P
from portail.auth import charter, halflogin, oidc, sessions
from portail.auth.login import (
    CODE_NEEDED,
    LOCKED,
    LOCKED_MESSAGE,
    OK,
    SSO_ONLY,
    check_login,
    set_password,
)
from portail.auth.opening import open_session
from portail.auth.passwords import change_reason, password_problems, verify
from portail.clock import utcnow
from portail.flash import flash
from portail.i18n import LANG_COOKIE, LANGUAGES, _
from portail.models.root import PortalRoot
from portail.security_log import LOGOUT, PASSWORD_CHANGED, security_event
from portail.validators import local_path, text_problem
from portail.views.forms import CSRFSchema, form_page, make_form

#: what the login page says when a session ended, by reason code
ENDED_MESSAGES = {
    sessions.ENDED_IDLE: _(
        'Your session was closed after ${minutes} minutes without activity. '
        'Please log in again.'),
    sessions.ENDED_ABSOLUTE: _(
        'Your session reached its maximum length of ${hours} hours. Please log in again.'),
    sessions.ENDED_REPLACED: _(
        'Your session was closed because your account logged in somewhere else. '
        'If it was not you, tell the account administrator at once.'),
    sessions.ENDED_DISABLED: _('Your session was closed: the account is disabled.'),
    sessions.ENDED_LOGOUT: _('You are logged out.'),
    'activated': _('Your account is activated: log in with your login and your new password.'),
    halflogin.ENDED_EXPIRED: _(
        'The code of the second factor was not typed within ${code_minutes} minutes: '
        'log in again.'),
    sessions.ENDED_RESET: _(
        'Your session was closed: an administrator reset the password of your account.'),
    charter.REFUSED: charter.REFUSED_MESSAGE,
}

INVALID_MESSAGE = _('Wrong login or password.')
#: no login is longer (accounts: 40); a longer one is not looked up nor shown again
LOGIN_MAX_LENGTH = 100
SSO_ONLY_MESSAGE = _(
    'Agents of the département log in through ${provider}: use the button below.')


def ended_message(request, reason):
    settings = request.registry.settings
    message = ENDED_MESSAGES.get(reason)
    if message is None:
        return None
    return _(message, mapping={
        'minutes': settings['portail.session_idle_minutes'],
        'hours': settings['portail.session_max_hours'],
        'code_minutes': halflogin.LIFETIME_MINUTES})


@view_config(context=PortalRoot, name='login', renderer='portail:templates/login.pt',
             permission=NO_PERMISSION_REQUIRED)
def login_view(request):
    identity = sessions.current_identity(request)
    if identity is not None and request.method == 'GET':
        return HTTPFound(request.resource_url(request.root))
    reason = sessions.ended_reason(request) or request.GET.get('reason')
    info = ended_message(request, reason)
    error = None
    login = ''
    if request.method == 'POST':
        login = request.POST.get('login', '').strip()
        password = request.POST.get('password', '')
        if not login or not password:
            error = _('Enter your login and your password.')
        elif text_problem(login, LOGIN_MAX_LENGTH) is not None:
            # no account has such a login: nothing to count, nothing to show again
            request.response.status_int = 400
            error, login, info = INVALID_MESSAGE, '', None
        else:
            result = check_login(request, request.root.users, login, password)
            if result.status == OK:
                return open_session(request, result.user)
            if result.status == CODE_NEEDED:
                return halflogin.begin(request, result.user)
            limit = request.registry.settings['portail.max_failed_logins']
            if result.status == LOCKED:
                error = _(LOCKED_MESSAGE, mapping={'n': limit})
            elif result.status == SSO_ONLY:
                error = _(SSO_ONLY_MESSAGE, mapping={'provider': oidc.provider_name(request)})
            else:
                error = INVALID_MESSAGE
            info = None
    # a 200 answer, so the failure counter is committed
    provider = oidc.get_provider(request.registry)
    return {'error': error, 'info': info, 'login': login,
            'max_failed': request.registry.settings['portail.max_failed_logins'],
            'sso_url': request.resource_url(request.root, oidc.START_VIEW) if provider else None,
            'sso_label': oidc.provider_name(request)}



@view_config(context=PortalRoot, name='logout', request_method='POST', permission=P.LOGOUT)
def logout_view(request):
    security_event(request, LOGOUT)
    # a session opened through the identity provider: its logout is offered next
    location = oidc.logged_out_location(request, sessions.current_identity(request))
    headers = forget(request)
    return HTTPSeeOther(
        location or request.resource_url(request.root, 'login', query={'reason': 'logout'}),
        headers=headers)


@colander.deferred
def deferred_password_description(node, kw):
    length = kw['request'].registry.settings['portail.password_min_length']
    return _('At least ${n} characters; a common or easily guessed password is refused. '
             'A passphrase of several unrelated words is best.', mapping={'n': length})


class PasswordSchema(CSRFSchema):
    """The password change form.  Neither field is stripped: a password is
    taken exactly as typed, as on the login form (deform strips text by
    default; its checked widget for the new password never does)."""

    current = colander.SchemaNode(
        colander.String(), title=_('Current password'),
        widget=deform.widget.PasswordWidget(
            strip=False, attributes={'autocomplete': 'current-password'}))
    new = colander.SchemaNode(
        colander.String(), title=_('New password'),
        description=deferred_password_description,
        widget=deform.widget.CheckedPasswordWidget(
            attributes={'autocomplete': 'new-password'}))


@colander.deferred
def deferred_password_validator(node, kw):
    request = kw['request']
    settings = request.registry.settings
    user = sessions.current_identity(request).user
    profile = settings['portail.argon2_profile']

    def validator(form, value):
        if not verify(user.password_hash, value['current'], profile):
            exc = colander.Invalid(form)
            exc['current'] = _('This is not your current password.')
            raise exc
        problems = password_problems(
            value['new'], settings['portail.password_min_length'], login=user.login,
            current_hash=user.password_hash, profile=profile, names=[user.fullname])
        if problems:
            exc = colander.Invalid(form)
            exc['new'] = ' '.join(request.localizer.translate(p) for p in problems)
            raise exc

    return validator


REASON_MESSAGES = {
    'reset': _('Your password was set by an administrator: choose your own before going on.'),
    'expired': _(
        'Your password is more than ${days} days old: choose a new one before going on.'),
}


@view_config(context=PortalRoot, name='password', renderer='portail:templates/form.pt',
             permission=P.CHANGE_PASSWORD)
def password_view(request):
    identity = sessions.current_identity(request)
    settings = request.registry.settings
    schema = PasswordSchema(validator=deferred_password_validator)
    form = make_form(request, schema, _('Change my password'))
    reason = change_reason(identity.user, settings, utcnow(request.registry))
    intro = REASON_MESSAGES.get(reason)
    if intro is not None:
        intro = _(intro, mapping={'days': settings['portail.password_max_age_days']})

    def save(appstruct):
        set_password(identity.user, appstruct['new'], utcnow(request.registry),
                     settings['portail.argon2_profile'])
        security_event(request, PASSWORD_CHANGED, reason=reason)
        flash(request, _('Your password is changed.'))
        return HTTPSeeOther(request.resource_url(request.root))

    return form_page(request, form, {'title': _('Change my password'), 'intro': intro}, save)


@view_config(context=PortalRoot, name='language', request_method='POST',
             permission=NO_PERMISSION_REQUIRED)
def language_view(request):
    lang = request.POST.get('lang')
    response = HTTPSeeOther(local_path(request.POST.get('came_from')))
    if lang in LANGUAGES:
        response.headers.add('Set-Cookie', make_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, path='/', httponly=True,
            samesite='lax', secure=request.registry.settings['portail.secure_cookies']))
    return response
