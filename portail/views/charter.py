"""The confidentiality charter's pages (issue 18; docs/domain.md,
*Confidentiality charter*).

- ``/charter/``: the version in force.  While a staff account has not
  accepted it, this is the login step of :mod:`portail.auth.steps`: "J'accepte"
  records the acceptance and opens the portal, "Je refuse" logs out.  Later,
  any staff account reads it here (a link in the footer), with the version
  it accepted and when.
- ``/charter/edit`` then ``/charter/publish``: the administrator writes a
  new text, reads it back on a confirmation page that says every staff
  account will have to accept it again, and publishes it as a new version
  (earlier versions are kept, never edited).
- ``/charter/acceptances`` (and ``.csv``): the DPO's list of who accepted
  which version and when, a page at a time from the acceptance index, and
  of the staff accounts that have not accepted the version in force.
"""
import csv
import io

import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.security import forget
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.acl.roles import BENEFICIARY, is_staff
from portail.auth import oidc, sessions
from portail.auth.charter import REFUSED
from portail.clock import utcnow
from portail.flash import flash
from portail.i18n import _
from portail.journal.administration import record_charter_published
from portail.models.charter import MAX_TEXT_LENGTH, Charter, CharterVersion
from portail.paging import PAGE_SIZE, listing, requested_page
from portail.security_log import (
    CHARTER_ACCEPTED,
    CHARTER_PUBLISHED,
    CHARTER_REFUSED,
    security_event,
)
from portail.timefmt import format_datetime
from portail.validators import query_int, text_problem
from portail.views.forms import CSRFSchema, make_form, validate
from portail.views.labels import ROLE_LABELS

STALE_VERSION = _('A new version of the charter was published while you were reading it: '
                  'read it below, then accept it or refuse it.')
EMPTY_TEXT = _('Write the text of the charter: it cannot be empty.')
SAME_TEXT = _('This text is the same as the version in force: change it before publishing '
              'a new version.')
STALE_EDIT = _('Another version of the charter (version ${n}) was published while you were '
               'writing: nothing was published. Read the version in force and write your '
               'changes again.')


def _version_of(request):
    """The version number posted with a form, or ``None``."""
    raw = request.POST.get('version', '')
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 9 else None


def _page(request, charter, error=None):
    identity = sessions.current_identity(request)
    version = charter.current
    accepted = identity.user.charter_accepted
    return {
        'version': version,
        'pending': not charter.accepted_current(identity.user), 'error': error,
        'accepted': accepted, 'accepted_at': format_datetime(accepted[1]) if accepted else '',
    }


@view_config(context=Charter, name='', renderer='portail:templates/charter/charter.pt',
             permission=P.READ_CHARTER, request_method=('GET', 'POST'))
def charter_view(request):
    """The charter in force; on a POST, its acceptance or refusal."""
    charter = request.context
    identity = sessions.current_identity(request)
    if not is_staff(identity.user):
        # a person followed has no charter to accept
        return HTTPSeeOther(request.resource_url(request.root))
    if request.method != 'POST':
        return _page(request, charter)
    if 'refuse' in request.POST:
        security_event(request, CHARTER_REFUSED, reason=f'v{charter.current.number}')
        # a session opened through the identity provider: its logout is offered next
        location = oidc.logged_out_location(request, identity, reason=REFUSED)
        headers = forget(request)
        return HTTPSeeOther(location or request.resource_url(
            request.root, 'login', query={'reason': REFUSED}), headers=headers)
    if 'accept' not in request.POST:
        request.response.status_int = 400
        return _page(request, charter)
    number = _version_of(request)
    if number != charter.current.number:
        request.response.status_int = 409
        return _page(request, charter, STALE_VERSION)
    if not charter.accepted_current(identity.user):
        charter.record_acceptance(identity.user, number, utcnow(request.registry))
        security_event(request, CHARTER_ACCEPTED, reason=f'v{number}')
        flash(request, _('Thank you: you accepted the confidentiality charter (version ${n}).',
                         mapping={'n': number}))
    return HTTPSeeOther(request.resource_url(request.root))


@colander.deferred
def deferred_current_version(node, kw):
    return kw['request'].context.current.number


def _text_validator(node, value):
    problem = text_problem(value, MAX_TEXT_LENGTH, multiline=True)
    if problem is not None:
        raise colander.Invalid(node, problem)


class CharterTextSchema(CSRFSchema):
    """The administrator's editor: the text, and the version it was written from."""

    version = colander.SchemaNode(
        colander.Integer(), widget=deform.widget.HiddenWidget(),
        default=deferred_current_version)
    text = colander.SchemaNode(
        colander.String(allow_empty=True), title=_('Text of the charter'),
        description=_('Plain text as the staff will read it: leave a blank line between '
                      'two paragraphs. At most ${n} characters.',
                      mapping={'n': f'{MAX_TEXT_LENGTH:,}'.replace(',', '\u202f')}),
        missing='', validator=_text_validator,
        widget=deform.widget.TextAreaWidget(rows=24))


def _clean(text):
    return text.replace('\r\n', '\n').replace('\r', '\n').strip()


def _editor_form(request):
    return make_form(request, CharterTextSchema(), _('Read again before publishing'))


def _editor_page(charter, form, error=None):
    return {'current': charter.current, 'form': form, 'error': error,
            'versions': list(reversed(charter.versions.values()))}


@view_config(context=Charter, name='edit', renderer='portail:templates/charter/edit.pt',
             permission=P.MANAGE_CHARTER, request_method=('GET', 'POST'), form_key=False)
def edit_view(request):
    """The editor; its POST only shows the new text back for confirmation
    (nothing is saved: :func:`publish_view` does)."""
    charter = request.context
    current = charter.current
    form = _editor_form(request)
    if request.method != 'POST':
        return _editor_page(charter, form.render({'text': current.text}))
    appstruct, rendered = validate(form, request)
    if appstruct is None:
        return _editor_page(charter, rendered)
    text = _clean(appstruct['text'])
    problem = None
    if not text:
        problem = EMPTY_TEXT
    elif appstruct['version'] != current.number:
        request.response.status_int = 409
        problem = _(STALE_EDIT, mapping={'n': current.number})
    elif text == current.text:
        problem = SAME_TEXT
    if problem is not None:
        if request.response.status_int < 400:
            request.response.status_int = 400
        return _editor_page(charter, form.render({'text': text}), problem)
    # the text as it will read, not stored: publish_view stores it once confirmed
    preview = CharterVersion(current.number + 1, text, None, None)
    return render_to_response('portail:templates/charter/confirm.pt', {
        'preview': preview, 'based_on': current.number,
        'staff': _staff_count(request)}, request=request)


@view_config(context=Charter, name='publish', request_method='POST',
             renderer='portail:templates/charter/edit.pt', permission=P.MANAGE_CHARTER)
def publish_view(request):
    """Publish the confirmed text as a new version."""
    charter = request.context
    text = _clean(request.POST.get('text', ''))
    problem = text_problem(text, MAX_TEXT_LENGTH, multiline=True)
    if not text:
        problem = EMPTY_TEXT
    based_on = _version_of(request)
    if problem is None and based_on != charter.current.number:
        request.response.status_int = 409
        problem = _(STALE_EDIT, mapping={'n': charter.current.number})
    elif problem is None and text == charter.current.text:
        problem = SAME_TEXT
    if problem is not None:
        if request.response.status_int < 400:
            request.response.status_int = 400
        return _editor_page(charter, _editor_form(request).render({'text': text}), problem)
    version = charter.publish(text, request.authenticated_userid, utcnow(request.registry))
    record_charter_published(request, version.number)
    security_event(request, CHARTER_PUBLISHED, reason=f'v{version.number}')
    flash(request, _('Version ${n} of the charter is published: every staff account must '
                     'accept it at its next page.', mapping={'n': version.number}))
    # the administrator, a staff account too, accepts it first
    return HTTPSeeOther(request.resource_url(charter))


# -- the DPO's list ----------------------------------------------------------------


def _staff_uids(users):
    """The uids of the staff accounts, from the (district, role) index."""
    found = set()
    for (_district, role), uids in users.by_district_role.items():
        if role != BENEFICIARY:
            found.update(uids)
    return found


def _staff_count(request):
    return len(_staff_uids(request.root.users))


def _account(request, uid, cache):
    """``{name, login, roles, district}`` of account ``uid``."""
    if uid in cache:
        return cache[uid]
    translate = request.localizer.translate
    user = request.root.users.get(uid)
    if user is None:
        row = {'name': translate(_('deleted account ${id}', mapping={'id': uid[:8]})),
               'login': '', 'roles': '', 'district': ''}
    else:
        district = request.root.districts.get(user.district) if user.district else None
        row = {'name': user.fullname, 'login': user.login,
               'roles': ', '.join(translate(ROLE_LABELS.get(r, r)) for r in user.roles),
               'district': district.name if district is not None
               else translate(_('département'))}
    cache[uid] = row
    return row


def not_accepted(request, charter):
    """The active staff accounts that have not accepted the version in
    force, by name: ``[(row, last version accepted or None)]``."""
    users = request.root.users
    cache = {}
    found = []
    for uid in _staff_uids(users):
        user = users.get(uid)
        if user is None or user.disabled or charter.accepted_current(user):
            continue
        found.append((_account(request, uid, cache),
                      user.charter_accepted[0] if user.charter_accepted else None))
    found.sort(key=lambda pair: (pair[0]['name'].lower(), pair[0]['login']))
    return found


def _chosen_version(request, charter):
    return query_int(request, 'version', 1, charter.current.number,
                     default=charter.current.number)


@view_config(context=Charter, name='acceptances',
             renderer='portail:templates/charter/acceptances.pt',
             permission=P.VIEW_CHARTER_ACCEPTANCES)
def acceptances_view(request):
    charter = request.context
    number = _chosen_version(request, charter)
    count = charter.count(number)
    page = requested_page(request, 'page', count)
    cache = {}
    rows = [dict(_account(request, uid, cache), at=at)
            for _n, at, uid in charter.acceptance_page(number, page.start, PAGE_SIZE)]
    base = request.resource_url(charter, 'acceptances')
    missing = not_accepted(request, charter)
    missing_page = requested_page(request, 'missing', len(missing))
    missing_rows = missing[missing_page.start:missing_page.start + PAGE_SIZE]
    return {
        'number': number, 'current': charter.current, 'count': count,
        'versions': list(reversed(charter.versions.values())),
        'listing': listing(rows, page, lambda n: f'{base}?version={number}&page={n}'),
        'missing': listing(missing_rows, missing_page,
                           lambda n: f'{base}?version={number}&missing={n}'),
        'missing_count': len(missing),
        'csv_url': request.resource_url(charter, 'acceptances.csv',
                                        query={'version': number}),
        'pager_label': _('Pages of the acceptances'),
        'missing_pager_label': _('Pages of the accounts that have not accepted'),
    }


@view_config(context=Charter, name='acceptances.csv', permission=P.VIEW_CHARTER_ACCEPTANCES)
def acceptances_csv_view(request):
    """Every acceptance of one version, as a French spreadsheet reads it
    (UTF-8 with a byte order mark, ``;`` between fields)."""
    charter = request.context
    number = _chosen_version(request, charter)
    translate = request.localizer.translate
    out = io.StringIO()
    writer = csv.writer(out, delimiter=';')
    writer.writerow([translate(h) for h in (
        _('Name'), _('Login'), _('Roles'), _('District'), _('Version'), _('Accepted on'))])
    cache = {}
    for _n, at, uid in charter.acceptance_page(number, 0, charter.count(number)):
        row = _account(request, uid, cache)
        writer.writerow([row['name'], row['login'], row['roles'], row['district'], number,
                         format_datetime(at)])
    response = Response(body=out.getvalue().encode('utf-8-sig'), content_type='text/csv',
                        charset='utf-8')
    response.content_disposition = f'attachment; filename="charte-v{number}-acceptations.csv"'
    return response
