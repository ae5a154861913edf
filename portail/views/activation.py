"""Beneficiary accounts without e-mail (docs/domain.md, *People without internet*; issue 5): the
référent creates the account and prints a one-time code; the beneficiary chooses
their password with it on the open activation page."""
import secrets

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.acl.roles import BENEFICIARY
from portail.auth.activation import (
    can_be_activated,
    check_activation,
    forget_failures,
    issue_code,
)
from portail.auth.login import set_password
from portail.auth.passwords import password_problems
from portail.clock import utcnow
from portail.i18n import _
from portail.journal.record import record
from portail.models.dossier import Dossier
from portail.models.root import PortalRoot
from portail.models.user import User
from portail.security_log import security_event


def new_login(users):
    """An unused login such as ``b4821973``: it says nothing about the person."""
    while True:
        login = f'b{secrets.randbelow(10 ** 7):07d}'
        if users.find_login(login) is None:
            return login


@view_config(context=Dossier, name='account', renderer='portail:templates/dossiers/account.pt',
             permission=P.MANAGE_BENEFICIARY_ACCOUNT, journal=False)
def account_view(request):
    """Create the beneficiary's account, or give a new code; print it."""
    dossier = request.context
    users = request.root.users
    user = users.get(dossier.beneficiary) if dossier.beneficiary else None
    now = utcnow(request.registry)
    if request.method == 'POST':
        if user is None:
            user = User(new_login(users), f'{dossier.first_names} {dossier.last_name.upper()}',
                        (BENEFICIARY,), dossier.district)
            user.created_at = now
            users.add_user(user)
            request.root.dossiers.set_beneficiary(dossier, user.uid)
        code = issue_code(user, now)
        forget_failures(users, user.login)
        record(request, dossier.__name__, f'user:{user.uid}', 'activation-code', 2)
        request.override_renderer = 'portail:templates/dossiers/activation_code.pt'
        return {'dossier': dossier, 'login': user.login, 'code': code,
                'until': user.activation[1],
                'activate_url': request.resource_url(request.root, 'activate')}
    return {'dossier': dossier, 'user': user,
            'pending': user is not None and user.activation is not None
            and user.activation[1] >= now}


ACTIVATION_FAILED = _('This login and code do not match, or the code has expired or was '
                      'already used. Ask your social worker for a new code.')


@view_config(context=PortalRoot, name='activate', renderer='portail:templates/activate.pt',
             permission=NO_PERMISSION_REQUIRED)
def activate_view(request):
    """Choose one's password with the code handed over by the référent."""
    page = {'errors': [], 'login': ''}
    if request.method != 'POST':
        return page
    settings = request.registry.settings
    users = request.root.users
    login = request.POST.get('login', '').strip()
    code = request.POST.get('code', '')
    password = request.POST.get('password', '')
    page['login'] = login
    now = utcnow(request.registry)
    user = check_activation(users, login, code, now, settings['portail.max_failed_logins'])
    if user is None:
        # the log names the account only when it is one that activation concerns
        pending = users.find_login(login)
        security_event(request, 'activation.failure',
                       user=pending.uid if can_be_activated(pending, now) else None)
        # the same answer for every login, known or not; a 200, so the count is committed
        return dict(page, errors=[ACTIVATION_FAILED])
    if password != request.POST.get('confirm', ''):
        return dict(page, errors=[_('The two passwords differ.')])
    problems = password_problems(password, settings['portail.password_min_length'],
                                 login=user.login, profile=settings['portail.argon2_profile'],
                                 names=[user.fullname])
    if problems:
        return dict(page, errors=problems)
    set_password(user, password, now, settings['portail.argon2_profile'])
    user.activation = None
    forget_failures(users, login)
    security_event(request, 'account.activated', user=user.uid)
    return HTTPSeeOther(request.resource_url(request.root, 'login',
                                             query={'reason': 'activated'}))
