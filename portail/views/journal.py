"""Reading the access journal: the beneficiary's "who consulted my dossier",
and the DPO's view of every journal with filters
(docs/domain.md, *Rights of the person* and *Access journal*)."""
import datetime
from itertools import islice

from pyramid.view import view_config

from portail.acl import permissions as P
from portail.i18n import _
from portail.journal.record import journal_of
from portail.models.dossier import Dossier
from portail.models.root import PortalRoot
from portail.validators import parse_date
from portail.views.contracts import DECISION_LABELS, KIND_LABELS
from portail.views.home import ROLE_LABELS
from portail.workflow.contract import CONTRACT_WORKFLOW

ACTION_LABELS = {
    'read': _('read'),
    'lookup': _('identity lookup'),
    'create': _('creation'),
    'reassign': _('change of référent'),
    'delegate': _('delegation'),
    'revoke-delegation': _('end of a delegation'),
    'grant': _('note shared with a colleague'),
    'revoke': _('note no longer shared'),
}


def action_label(request, action):
    translate = request.localizer.translate
    base = action.split(':', 1)[0]
    if base in ACTION_LABELS:
        return translate(ACTION_LABELS[base])
    if base == 'transition':
        name = action.split(':', 1)[1]
        transition = CONTRACT_WORKFLOW.transitions.get(name)
        step = translate(transition.title) if transition else translate(_('new draft'))
        return translate(_('contract: ${step}', mapping={'step': step}))
    if base == 'consent':
        kind, decision = (action.split(':') + ['', ''])[1:3]
        label = translate(KIND_LABELS.get(kind, kind))
        what = f'{label} ({translate(DECISION_LABELS.get(decision, decision))})'
        return translate(_('consent: ${what}', mapping={'what': what}))
    return translate(_('change'))


OBJECT_LABELS = {
    'dossier': _('dossier'), 'contract': _('contract'), 'note': _('working note'),
    'identity': _('identity'), 'home': _('home page'), 'cli-summary': _('CLI summary'),
    'user': _('account'),
}


def object_label(request, obj):
    """``contract:ab12…`` → "contrat ab12…": the kind in words, the opaque id kept."""
    kind, _sep, ident = obj.partition(':')
    label = request.localizer.translate(OBJECT_LABELS.get(kind, kind))
    return f'{label} {ident[:8]}'.strip()


def entry_rows(request, entries):
    """Display rows of journal entries.  A chain holds hundreds of entries by
    a handful of people about a handful of objects, so who, action and object
    labels are worked out once per distinct value."""
    users = request.root.users
    translate = request.localizer.translate
    people, actions, objects = {}, {}, {}
    rows = []
    for entry in entries:
        person = people.get(entry.user)
        if person is None:
            user = users.get(entry.user)
            person = people[entry.user] = (
                user.fullname if user is not None else translate(_('the portal')),
                ', '.join(translate(ROLE_LABELS[r]) for r in user.roles) if user else '')
        action = actions.get(entry.action)
        if action is None:
            action = actions[entry.action] = action_label(request, entry.action)
        obj = objects.get(entry.object)
        if obj is None:
            obj = objects[entry.object] = object_label(request, entry.object)
        rows.append({
            'entry': entry,
            'at': datetime.datetime.fromisoformat(entry.at),
            'who': person[0],
            'role': person[1],
            'action': action,
            'object': obj,
        })
    return rows


#: entries shown on "who consulted my dossier" (the copy of the dossier holds them all)
DOSSIER_PAGE = 500


@view_config(context=Dossier, name='journal', renderer='portail:templates/journal/dossier.pt',
             permission=P.VIEW_DOSSIER_JOURNAL, journal=False)
def dossier_journal_view(request):
    chain = journal_of(request).chains.get(request.context.__name__)
    if chain is None:
        return {'rows': [], 'count': 0}
    # only the entries shown are decoded; the count of the entries held (purged ones
    # excluded) comes from the chain's numbering
    newest = list(islice(chain.values(reverse=True), DOSSIER_PAGE))
    return {'rows': entry_rows(request, newest), 'count': chain.length - chain.base_seq}


PAGE = 200


@view_config(context=PortalRoot, name='journal', renderer='portail:templates/journal/dpo.pt',
             permission=P.VIEW_ALL_JOURNALS, form_key=False)
def dpo_journal_view(request):
    """Filter by account login, dossier id and dates (a POST form, so no login
    appears in a URL); without a filter, nothing is listed."""
    journal = journal_of(request)
    params = request.POST if request.method == 'POST' else {}  # no login in URLs
    login = params.get('user', '').strip()
    dossier = params.get('dossier', '').strip()
    start = _date(params.get('from'))
    end = _date(params.get('to'))
    error = None
    keys = None
    uid = None
    if login:
        user = request.root.users.find_login(login)
        uid = user.uid if user is not None else None
        keys = set(journal.by_user.get(uid, ())) if uid else set()
        if uid is None:
            error = _('No account has this login.')
    if dossier:
        keys = {dossier} if keys is None else keys & {dossier}
    if keys is None and (start or end):
        keys = set()
        for _day, bucket in journal.by_day.items(
                min=start.isoformat() if start else None,
                max=end.isoformat() if end else None):
            keys.update(bucket)
    entries = []
    for key in sorted(keys or ()):
        chain = journal.chains.get(key)
        if chain is None:
            continue
        for entry in chain.values():
            if uid and entry.user != uid:
                continue
            day = entry.at[:10]
            if (start and day < start.isoformat()) or (end and day > end.isoformat()):
                continue
            entries.append(entry)
    entries.sort(key=lambda e: e.at, reverse=True)
    return {'rows': entry_rows(request, entries[:PAGE]), 'count': len(entries),
            'filtered': keys is not None, 'error': error,
            'values': {'user': login, 'dossier': dossier,
                       'from': start.isoformat() if start else '',
                       'to': end.isoformat() if end else ''}}


def _date(text):
    """The date of a filter field, or ``None`` (no filter) when it is not a
    date of :data:`portail.validators.ANY_DATE`."""
    return parse_date(text) or None
