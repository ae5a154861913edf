"""The second factor's pages (docs/domain.md, *Accounts and passwords*):
the code typed after the password (``/login-code``) and the enrolment
(``/second-factor``), a step of the login (:mod:`portail.auth.steps`).
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.auth import halflogin, second_factor, steps
from portail.auth.login import LOCKED, LOCKED_MESSAGE, count_failure, record_login
from portail.auth.opening import open_session
from portail.auth.sessions import current_identity
from portail.clock import utcnow
from portail.flash import flash
from portail.i18n import _
from portail.models.root import PortalRoot
from portail.security_log import (
    RECOVERY_CODE_USED,
    SECOND_FACTOR_ENROLLED,
    SECOND_FACTOR_FAILURE,
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
    'left. If you lost your phone, ask an administrator to reset your second factor.')


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
