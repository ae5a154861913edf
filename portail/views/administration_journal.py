"""The administration journal, for the DPO (issue 13): who created, changed,
unlocked, disabled or enabled which account, and who reset whose password,
when (:mod:`portail.journal.administration`).  Newest first, a page at a
time, read by the chain's numbering (only the entries shown are decoded)."""
import datetime

from pyramid.view import view_config

from portail.acl import permissions as P
from portail.i18n import _
from portail.journal import administration as journal
from portail.journal.record import journal_of
from portail.models.root import PortalRoot
from portail.paging import listing, requested_page
from portail.views.labels import ROLE_LABELS

ACTION_LABELS = {
    journal.ACCOUNT_CREATED: _('account created'),
    journal.ROLES_CHANGED: _('roles, district or qualification changed'),
    journal.PASSWORD_RESET: _('password reset'),
    journal.UNLOCKED: _('account unlocked'),
    journal.DISABLED: _('account disabled'),
    journal.ENABLED: _('account enabled'),
    journal.SECOND_FACTOR_RESET: _('second factor reset'),
    journal.CHARTER_PUBLISHED: _('new version of the confidentiality charter'),
}

#: entries a page
PAGE_SIZE = 100
PAGER_LABEL = _('Pages of the administration journal')


def _people(request):
    """``uid -> (full name, login)``, each account looked up once."""
    users = request.root.users
    cache = {}

    def person(uid):
        if uid not in cache:
            user = users.get(uid)
            cache[uid] = (user.fullname, user.login) if user is not None else None
        return cache[uid]

    return person


def _privileges(request, detail):
    """The roles, district and qualification an entry says the account was given."""
    parsed = journal.parse_detail(detail)
    if parsed is None:
        return ''
    roles, district_id, qualified = parsed
    translate = request.localizer.translate
    district = request.root.districts.get(district_id) if district_id else None
    parts = [', '.join(translate(ROLE_LABELS.get(r, r)) for r in roles)]
    parts.append(district.name if district is not None else translate(_('département')))
    if qualified:
        parts.append(translate(_('qualified social worker')))
    return ' — '.join(parts)


def entry_row(request, entry, person):
    translate = request.localizer.translate
    admin = person(entry.user)
    if entry.object.startswith(journal.CHARTER_OBJECT):
        return {
            'at': datetime.datetime.fromisoformat(entry.at),
            'admin': admin[0] if admin else translate(_('the portal')),
            'action': translate(ACTION_LABELS[journal.CHARTER_PUBLISHED]),
            'account': translate(_('version ${n}', mapping={
                'n': entry.object[len(journal.CHARTER_OBJECT):]})),
            'privileges': '',
        }
    account = person(entry.object.partition(':')[2])
    return {
        'at': datetime.datetime.fromisoformat(entry.at),
        'admin': admin[0] if admin else translate(_('the portal')),
        'action': translate(ACTION_LABELS.get(entry.action, entry.action)),
        'account': (f'{account[0]} ({account[1]})' if account
                    else translate(_('deleted account ${id}',
                                     mapping={'id': entry.object.partition(':')[2][:8]}))),
        'privileges': _privileges(request, entry.detail),
    }


@view_config(context=PortalRoot, name='administration-journal',
             renderer='portail:templates/admin/journal.pt',
             permission=P.VIEW_ADMINISTRATION_JOURNAL)
def administration_journal_view(request):
    chain = journal_of(request).chains.get(journal.CHAIN)
    count = 0 if chain is None else chain.length - chain.base_seq
    page = requested_page(request, 'page', count, PAGE_SIZE)
    person = _people(request)
    rows = []
    if chain is not None:
        newest = chain.length - page.start
        for seq in range(newest, max(newest - PAGE_SIZE, chain.base_seq), -1):
            entry = chain.entry(seq)
            if entry is not None:
                rows.append(entry_row(request, entry, person))
    url = request.resource_url(request.root, 'administration-journal')
    return {'rows': rows, 'count': count,
            'listing': listing(rows, page, lambda n: f'{url}?page={n}'),
            'pager_label': PAGER_LABEL}
