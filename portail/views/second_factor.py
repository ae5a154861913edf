"""The second factor's pages (docs/domain.md, *Accounts and passwords*):
the code typed after the password (``/login-code``), the enrolment
(``/second-factor``), a step of the login (:mod:`portail.auth.steps`), and
the owner's page (``/my-second-factor``: new recovery codes, a new phone).
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.auth import halflogin, second_factor, steps
from portail.auth.login import LOCKED, LOCKED_MESSAGE, count_failure, record_login
from portail.auth.opening import open_session
from portail.auth.sessions import current_identity, end_user_sessions
from portail.clock import utcnow
from portail.flash import flash
from portail.i18n import _
from portail.models.root import PortalRoot
from portail.security_log import (
    RECOVERY_CODE_USED,
    RECOVERY_CODES_RENEWED,
    SECOND_FACTOR_ENROLLED,
    SECOND_FACTOR_FAILURE,
    SECOND_FACTOR_RESET,
    security_event,
)

#: no code is longer (a recovery code with dashes: 19)
CODE_MAX_LENGTH = 40
WRONG_CODE = _('Wrong code. Type the six digits your app shows now, or one of your '
               'recovery codes.')
REPLAYED_CODE = _('This code was already used. Wait for the next one (at most 30 seconds) '
                  'and type it.')
NO_CODE = _('Type the code.')
RECOVERY_USED = _(
    'You logged in with a recovery code: it will not work again. ${n} recovery codes are '
    'left. On the page "My second factor", get new ones or set up a new phone.')


def _back_to_login(request):
    """To the login page; told why if a half login's cookie came."""
    expired = bool(request.cookies.get(halflogin.COOKIE_NAME))
    response = HTTPSeeOther(request.resource_url(
        request.root, 'login', query={'reason': halflogin.ENDED_EXPIRED} if expired else None))
    response.headerlist.append(halflogin.expire_cookie(request))
    return response


def _typed_code(request):
    code = request.POST.get('code', '')
    if not isinstance(code, str) or len(code) > CODE_MAX_LENGTH:
        return ''
    return code.strip()


@view_config(context=PortalRoot, name=halflogin.CODE_VIEW,
             renderer='portail:templates/login_code.pt', permission=NO_PERMISSION_REQUIRED)
def login_code_view(request):
    """The second half of a login: the code of the second factor.  The
    session is opened only when it is right."""
    found = halflogin.current(request)
    if found is None:
        return _back_to_login(request)
    key, half = found
    users = request.root.users
    user = users.get(half.uid)
    if user is None or user.disabled or user.locked or not second_factor.enrolled(user):
        halflogin.end(request, key)
        return _back_to_login(request)
    error = None
    if request.method == 'POST':
        code = _typed_code(request)
        outcome = (second_factor.check_code(user, code, utcnow(request.registry))
                   if code else None)
        if outcome in (second_factor.ACCEPTED, second_factor.RECOVERY):
            notices = ()
            if outcome == second_factor.RECOVERY:
                security_event(request, RECOVERY_CODE_USED, user=user.uid)
                notices = (_(RECOVERY_USED, mapping={'n': len(user.recovery_hashes)}),)
            halflogin.end(request, key)
            record_login(request, user)
            response = open_session(request, user, notices=notices)
            response.headerlist.append(halflogin.expire_cookie(request))
            return response
        if outcome is None:
            error = NO_CODE
        else:
            reason = 'replay' if outcome == second_factor.REPLAYED else 'wrong-code'
            status = count_failure(request, users, user, SECOND_FACTOR_FAILURE, reason)
            if status == LOCKED:
                halflogin.end(request, key)
                request.response.headerlist.append(halflogin.expire_cookie(request))
                limit = request.registry.settings['portail.max_failed_logins']
                return {'error': _(LOCKED_MESSAGE, mapping={'n': limit}), 'locked': True}
            error = REPLAYED_CODE if outcome == second_factor.REPLAYED else WRONG_CODE
    # a 200 answer, so the failure counter is committed
    return {'error': error, 'locked': False}


NOTHING_TO_SET_UP = _(
    'There is no second factor to set up for your account. To replace yours, ask an '
    'account administrator to reset it.')
WRONG_CONFIRMATION = _(
    'This code does not match. Check that the time of your phone is right, then type the '
    'six digits your app shows now.')


@view_config(context=PortalRoot, name=steps.STEP_VIEWS[steps.SECOND_FACTOR],
             renderer='portail:templates/second_factor_enrol.pt',
             permission=P.MANAGE_OWN_SECOND_FACTOR)
def enrol_view(request):
    """Enrol the second factor: a QR code (and the secret, to type by hand)
    for the authenticator app, one code to confirm; then the ten recovery
    codes, shown once.  Only while the enrolment is the pending step: any
    other account is sent to its own pending step, or home."""
    identity = current_identity(request)
    if identity.pending_step != steps.SECOND_FACTOR:
        if identity.pending_step is not None:
            return HTTPSeeOther(request.resource_url(
                request.root, steps.STEP_VIEWS[identity.pending_step]))
        flash(request, NOTHING_TO_SET_UP, 'error')
        return HTTPSeeOther(request.resource_url(request.root))
    user, session = identity.user, identity.session
    error = None
    if request.method == 'POST' and session.enrolling_secret is not None:
        code = _typed_code(request)
        now = utcnow(request.registry)
        step = second_factor.totp_step(session.enrolling_secret, code, now) if code else None
        if step is not None:
            codes = second_factor.enrol(user, session.enrolling_secret, step, now)
            session.enrolling_secret = None
            security_event(request, SECOND_FACTOR_ENROLLED)
            request.override_renderer = 'portail:templates/second_factor_codes.pt'
            return {'codes': codes}
        error = WRONG_CONFIRMATION if code else NO_CODE
    if session.enrolling_secret is None:
        session.enrolling_secret = second_factor.new_secret()
    secret = session.enrolling_secret
    if error is not None:
        request.response.status_int = 400
    return {
        'error': error,
        'qr_code': second_factor.qr_code_data_uri(secret, user.login),
        'secret': second_factor.grouped(secret),
    }


#: what the owner's page does once the app's code is right
RENEW, NEW_PHONE = 'renew', 'new-phone'
NO_SECOND_FACTOR = _('Your account has no second factor.')


@view_config(context=PortalRoot, name='my-second-factor',
             renderer='portail:templates/my_second_factor.pt', permission=P.VIEW_HOME)
def my_second_factor_view(request):
    """The owner's second factor: how many recovery codes are left; with
    the app's code or a recovery code (phone lost), ten new recovery codes,
    or a new phone (the second factor is removed and set up again at once
    if the role requires it).  A wrong code counts toward the lockout; the
    lock ends the session."""
    user = current_identity(request).user
    if not second_factor.enrolled(user):
        flash(request, NO_SECOND_FACTOR, 'error')
        return HTTPSeeOther(request.resource_url(request.root))
    error = None
    if request.method == 'POST':
        action = request.POST.get('action')
        if action not in (RENEW, NEW_PHONE):
            action = RENEW
        code = _typed_code(request)
        outcome = (second_factor.check_code(user, code, utcnow(request.registry))
                   if code else None)
        if outcome == second_factor.RECOVERY:
            security_event(request, RECOVERY_CODE_USED)
        if outcome in (second_factor.ACCEPTED, second_factor.RECOVERY):
            if action == NEW_PHONE:
                second_factor.remove(user)
                security_event(request, SECOND_FACTOR_RESET, target=user.uid, reason='owner')
                return HTTPSeeOther(request.resource_url(request.root, 'second-factor'))
            codes = second_factor.renew_recovery_codes(user)
            security_event(request, RECOVERY_CODES_RENEWED)
            request.override_renderer = 'portail:templates/second_factor_codes.pt'
            return {'codes': codes}
        if outcome is None:
            error = NO_CODE
            request.response.status_int = 400
        else:
            reason = 'replay' if outcome == second_factor.REPLAYED else 'wrong-code'
            status = count_failure(request, request.root.users, user, SECOND_FACTOR_FAILURE,
                                   reason)
            if status == LOCKED:
                end_user_sessions(request, user)
                return HTTPSeeOther(request.resource_url(request.root))
            error = REPLAYED_CODE if outcome == second_factor.REPLAYED else WRONG_CODE
    return {'user': user, 'left': len(user.recovery_hashes), 'error': error,
            'RENEW': RENEW, 'NEW_PHONE': NEW_PHONE}
