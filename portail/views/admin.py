"""Account administration (docs/domain.md, *Roles* and *Security rules*).

Administrators create and disable accounts, assign roles and district,
unlock locked accounts and reset passwords and second factors.  They never see dossier
content: nothing here reaches below ``/users`` and ``/districts``; an
administrator may not change its own roles, district or qualification, and
``admin`` is never held with a role that opens dossiers
(:func:`portail.acl.roles.incompatible_roles`).  Every change is appended
to the administration journal (:mod:`portail.journal.administration`).
"""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.acl.roles import API_FEED, MANAGER, incompatible_roles
from portail.auth import second_factor
from portail.auth.login import reset_password, set_password
from portail.auth.passwords import readable_secret
from portail.auth.sessions import ENDED_RESET, current_identity, end_user_sessions
from portail.clock import utcnow
from portail.evolve import status as evolve_status
from portail.flash import flash
from portail.i18n import _
from portail.journal import administration as journal
from portail.models.user import (
    DEPARTMENT_WIDE_ROLES,
    OPTIONAL_DISTRICT_ROLES,
    ROLES,
    User,
    Users,
)
from portail.security_log import SECOND_FACTOR_RESET, security_event
from portail.validators import ascii_int, line
from portail.views.forms import CSRFSchema, form_page, make_form, validate
from portail.views.labels import ROLE_LABELS

PAGE_SIZE = 50
#: the last page number read from the address (far beyond any count of accounts)
MAX_PAGE = 10 ** 6
STATE_LABELS = {'active': _('active'), 'locked': _('locked'), 'disabled': _('disabled')}


def temporary_password():
    """A random password easy to read aloud or copy: ``K7MQ-2XHT-9PQR-WX4N``."""
    return readable_secret(4)


@colander.deferred
def deferred_district_widget(node, kw):
    choices = [('', kw['request'].localizer.translate(_('— none (département-wide) —')))]
    choices.extend(kw['request'].root.districts.choices())
    return deform.widget.SelectWidget(values=choices)


@colander.deferred
def deferred_roles_widget(node, kw):
    translate = kw['request'].localizer.translate
    return deform.widget.CheckboxChoiceWidget(
        values=[(r, translate(ROLE_LABELS[r])) for r in ROLES])


@colander.deferred
def deferred_login_validator(node, kw):
    users = kw['request'].root.users

    def validator(node, value):
        if users.find_login(value) is not None:
            raise colander.Invalid(node, _('This login is already used.'))

    return colander.All(
        colander.Length(min=3, max=40),
        colander.Regex(r'^[a-zA-Z0-9._-]+$', _('Letters, digits, dot, dash, underscore only.')),
        validator)


SELF_CHANGE_REFUSED = _(
    'You cannot change your own roles, district or qualification: ask another '
    'administrator.')
ADMIN_WITH_FILE_ROLES_REFUSED = _(
    'An account administrator cannot also hold a role that opens dossiers (${roles}): '
    'give these roles to a separate account.')


@colander.deferred
def deferred_account_validator(node, kw):
    request = kw['request']
    editing = kw.get('editing')

    def validator(form, value):
        roles = set(value['roles'])
        exc = colander.Invalid(form)
        if roles - DEPARTMENT_WIDE_ROLES - OPTIONAL_DISTRICT_ROLES and not value['district']:
            exc['district'] = _('These roles belong to a district: choose one.')
        if value['qualified'] and MANAGER not in roles:
            exc['qualified'] = _('Only a district manager can be flagged as social worker.')
        conflicts = incompatible_roles(roles)
        me = current_identity(request).user
        if editing is me and _privileges_of(value) != _privileges_of(me):
            exc['roles'] = SELF_CHANGE_REFUSED
        elif conflicts:
            translate = request.localizer.translate
            exc['roles'] = _(ADMIN_WITH_FILE_ROLES_REFUSED, mapping={
                'roles': ', '.join(translate(ROLE_LABELS[r]) for r in conflicts)})
        if exc.children:
            raise exc

    return validator


def _privileges_of(account):
    """``(roles, district, qualified)`` of an account or of the form's values."""
    if isinstance(account, dict):
        return (frozenset(account['roles']), account['district'] or None,
                bool(account['qualified']))
    return (frozenset(account.roles), account.district or None,
            bool(account.qualified_social_worker))
@colander.deferred
def deferred_district_validator(node, kw):
    """A district of the département (an empty choice is ``missing``)."""
    return colander.OneOf(list(kw['request'].root.districts.keys()),
                          msg_err=_('Choose a district in the list.'))


class AccountSchema(CSRFSchema):
    fullname = colander.SchemaNode(
        colander.String(), title=_('Full name'), validator=line(100, min_length=2))
    roles = colander.SchemaNode(
        colander.Set(), title=_('Roles'), widget=deferred_roles_widget,
        validator=colander.All(
            colander.Length(min=1, min_err=_('Choose at least one role.')),
            colander.ContainsOnly(ROLES)))
    district = colander.SchemaNode(
        colander.String(), title=_('District'), widget=deferred_district_widget,
        missing='', validator=deferred_district_validator)
    qualified = colander.SchemaNode(
        colander.Boolean(), title=_('Qualified social worker (managers only)'),
        description=_('A manager with this flag may see the dossiers of their district.'),
        missing=False)


class NewAccountSchema(AccountSchema):
    login = colander.SchemaNode(
        colander.String(), title=_('Login'), validator=deferred_login_validator,
        preparer=lambda v: v.strip().lower() if isinstance(v, str) else v)


def account_row(user, request):
    translate = request.localizer.translate
    districts = request.root.districts
    district = districts.get(user.district) if user.district else None
    state_code = 'disabled' if user.disabled else 'locked' if user.locked else 'active'
    state = STATE_LABELS[state_code]
    return {
        'user': user,
        'url': request.resource_url(user),
        'roles': ', '.join(translate(ROLE_LABELS[r]) for r in user.roles),
        'district': district.name if district else translate(_('département')),
        'state': state,
        'state_code': state_code,
    }


@view_config(context=Users, name='', renderer='portail:templates/admin/users.pt',
             permission=P.MANAGE_ACCOUNTS)
def users_view(request):
    users = request.root.users
    only_locked = request.GET.get('filter') == 'locked'
    # ASCII digits only; any other value shows the first page
    page = ascii_int(request.GET.get('page', '0'), 0, MAX_PAGE) or 0
    if only_locked:
        selected = [users[uid] for uid in users.locked_uids]
        more = False
    else:
        selected = users.page(page * PAGE_SIZE, PAGE_SIZE + 1)
        more = len(selected) > PAGE_SIZE
        selected = selected[:PAGE_SIZE]
    version, latest, _pending = evolve_status(request.root._p_jar.root())
    return {
        'rows': [account_row(u, request) for u in selected],
        'only_locked': only_locked,
        'page': page,
        'more': more,
        'count': len(users),
        'schema_version': version,
        'schema_latest': latest,
    }


@view_config(context=Users, name='add', renderer='portail:templates/form.pt',
             permission=P.MANAGE_ACCOUNTS)
def add_user_view(request):
    schema = NewAccountSchema(validator=deferred_account_validator)
    schema.children.insert(1, schema.children.pop())  # login first, after the token
    form = make_form(request, schema, _('Create the account'))

    def save(appstruct):
        settings = request.registry.settings
        user = User(appstruct['login'], appstruct['fullname'], sorted(appstruct['roles']),
                    appstruct['district'] or None, appstruct['qualified'])
        now = utcnow(request.registry)
        user.created_at = now
        password = temporary_password()
        set_password(user, password, now, settings['portail.argon2_profile'], must_change=True)
        request.root.users.add_user(user)
        journal.record_admin_action(request, user, journal.ACCOUNT_CREATED)
        security_event(request, 'account.created', target=user.uid)
        return _show_temporary_password(request, user, password)

    return form_page(request, form, {'title': _('New account'), 'intro': None}, save)


def _show_temporary_password(request, user, password):
    request.override_renderer = 'portail:templates/admin/password.pt'
    return {'user': user, 'password': password, 'user_url': request.resource_url(user)}


@view_config(context=User, name='', renderer='portail:templates/admin/user.pt',
             permission=P.MANAGE_ACCOUNTS)
def user_view(request):
    user = request.context
    if API_FEED in user.roles:
        # the feed's account is made by `portail-feed create-token` with a role
        # the form does not offer: saving the form would take it away
        return {'row': account_row(user, request), 'form': None}
    schema = AccountSchema(validator=deferred_account_validator)
    form = make_form(request, schema, _('Save'), editing=user)
    if request.method == 'POST':
        appstruct, rendered = validate(form, request)
        if appstruct is None:
            return {'row': account_row(user, request), 'form': rendered}
        roles = tuple(sorted(appstruct['roles']))
        district = appstruct['district'] or None
        changed = _privileges_of(appstruct) != _privileges_of(user)
        user.assign(roles, district, appstruct['qualified'])
        user.fullname = appstruct['fullname']
        request.root.users.reindex(user)
        if changed:
            user.privileges_changed()
            journal.record_admin_action(request, user, journal.ROLES_CHANGED)
            security_event(request, 'roles.changed', target=user.uid)
        flash(request, _('The account is saved.'))
        return HTTPSeeOther(request.resource_url(user))
    appstruct = {'fullname': user.fullname, 'roles': set(user.roles),
                 'district': user.district or '', 'qualified': user.qualified_social_worker}
    return {'row': account_row(user, request), 'form': form.render(appstruct)}


@view_config(context=User, name='unlock', request_method='POST', permission=P.MANAGE_ACCOUNTS)
def unlock_view(request):
    if request.context.locked:
        journal.record_admin_action(request, request.context, journal.UNLOCKED)
    request.root.users.set_locked(request.context, False)
    security_event(request, 'account.unlocked', target=request.context.uid)
    flash(request, _('The account is unlocked.'))
    return HTTPSeeOther(request.resource_url(request.context))


CONFIRM = 'portail:templates/admin/confirm.pt'


@view_config(context=User, name='disable', renderer=CONFIRM, permission=P.MANAGE_ACCOUNTS)
def disable_view(request):
    user = request.context
    if user is current_identity(request).user:
        flash(request, _('You cannot disable your own account.'), 'error')
        return HTTPSeeOther(request.resource_url(user))
    if request.method == 'POST':
        if not user.disabled:
            journal.record_admin_action(request, user, journal.DISABLED)
        user.disabled = True
        end_user_sessions(request, user)
        security_event(request, 'account.disabled', target=user.uid)
        flash(request, _('The account is disabled; its session is closed.'))
        return HTTPSeeOther(request.resource_url(user))
    return {'user': user, 'title': _('Disable this account?'),
            'message': _('The person will no longer be able to log in, and an open session '
                         'is closed at once. You can enable the account again later.'),
            'button': _('Disable the account')}


@view_config(context=User, name='enable', request_method='POST', permission=P.MANAGE_ACCOUNTS)
def enable_view(request):
    if request.context.disabled:
        journal.record_admin_action(request, request.context, journal.ENABLED)
    request.context.disabled = False
    security_event(request, 'account.enabled', target=request.context.uid)
    flash(request, _('The account is enabled.'))
    return HTTPSeeOther(request.resource_url(request.context))


@view_config(context=User, name='reset-password', renderer=CONFIRM,
             permission=P.MANAGE_ACCOUNTS)
def reset_password_view(request):
    user = request.context
    if request.method == 'POST':
        password = temporary_password()
        settings = request.registry.settings
        reset_password(user, password, utcnow(request.registry),
                       settings['portail.argon2_profile'], by=request.authenticated_userid)
        journal.record_admin_action(request, user, journal.PASSWORD_RESET)
        request.root.users.set_locked(user, False)
        end_user_sessions(request, user, ENDED_RESET)
        security_event(request, 'password.reset', target=user.uid)
        return _show_temporary_password(request, user, password)
    return {'user': user, 'title': _('Reset the password of this account?'),
            'message': _('A temporary password will be shown once, to hand over in person. '
                         'The current password stops working at once and the person must '
                         'choose a new one at the next login, where they are told who reset '
                         'it and when. The reset is written in the administration journal.'),
            'button': _('Reset the password')}


@view_config(context=User, name='reset-second-factor', renderer=CONFIRM,
             permission=P.MANAGE_ACCOUNTS)
def reset_second_factor_view(request):
    """Remove the account's second factor (phone lost): the owner is told at
    their next login and enrols again if their role requires it."""
    user = request.context
    if not second_factor.enrolled(user):
        flash(request, _('This account has no second factor.'), 'error')
        return HTTPSeeOther(request.resource_url(user))
    if request.method == 'POST':
        second_factor.reset(user, utcnow(request.registry), by=request.authenticated_userid)
        journal.record_admin_action(request, user, journal.SECOND_FACTOR_RESET)
        security_event(request, SECOND_FACTOR_RESET, target=user.uid)
        flash(request, _('The second factor is reset. The person is told at their next login, '
                         'and sets up a new one then if their role requires it.'))
        return HTTPSeeOther(request.resource_url(user))
    return {'user': user, 'title': _('Reset the second factor of this account?'),
            'message': _('Do it only when the person asks for it, in person or on the phone '
                         '(phone lost or changed, recovery codes lost). Their authenticator '
                         'app and recovery codes stop working at once; they are told who '
                         'reset it and when at the next login, and set up a new second '
                         'factor then if their role requires it. The reset is written in the '
                         'administration journal.'),
            'button': _('Reset the second factor')}
