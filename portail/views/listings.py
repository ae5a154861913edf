"""Rows of the listings that several pages show: a dossier's notes, a CLI
folder's worklist, journal entries.  A helper module: no view here (the
view modules never import one another)."""
import datetime

from portail.acl import permissions as P
from portail.acl.policy import permissions_on
from portail.i18n import _
from portail.models.contract import THEMES
from portail.models.request import KINDS as REQUEST_KINDS
from portail.paging import listing, requested_page
from portail.timefmt import format_date
from portail.urls import child_url_maker
from portail.views.labels import (
    DECISION_LABELS,
    KIND_LABELS,
    OPINION_LABELS,
    ROLE_LABELS,
    user_name,
)
from portail.workflow.contract import CONTRACT_WORKFLOW

# -- a dossier's working notes ------------------------------------------------------


def visible_notes(request, dossier):
    """Notes the user may read, and notes whose existence only they may know."""
    rows = []
    url = child_url_maker(request, dossier.notes)
    for note in sorted(dossier.notes.values(), key=lambda n: n.created_at, reverse=True):
        can = permissions_on(request, note, (P.VIEW_NOTE, P.VIEW_NOTE_EXISTENCE))
        if can[P.VIEW_NOTE]:
            rows.append({'note': note, 'url': url(note.__name__), 'readable': True,
                         'author': user_name(request, note.author)})
        elif can[P.VIEW_NOTE_EXISTENCE]:
            rows.append({'note': note, 'url': None, 'readable': False,
                         'author': user_name(request, note.author)})
    return rows


# -- the CLI worklist ------------------------------------------------------------

#: what the navigation between pages of the worklist is called (aria-label)
WORKLIST_PAGER_LABEL = _('Pages of the CLI worklist')


def worklist(request, folder, param, page_url, without_opinion=False):
    """The :class:`~portail.paging.Listing` of the page of ``folder``'s
    summaries asked for in ``param``, newest share first, read from the
    folder's ordered index; ``page_url(number)`` addresses another page.

    ``without_opinion`` keeps the summaries the CLI gave no opinion on
    ("sans avis"), read from the folder's index of them."""
    if without_opinion:
        page = requested_page(request, param, len(folder.awaiting))
        shown = folder.without_opinion(page.start, page.size)
    else:
        page = requested_page(request, param, len(folder))
        shown = folder.page(page.start, page.size)
    url = child_url_maker(request, folder)
    rows = [summary_row(request, s, url(s.__name__)) for s in shown]
    return listing(rows, page, page_url)


def summary_row(request, summary, url):
    """What a list of summaries shows of one: its link, its themes and the
    référent's name if they were shared (else ``None``), its opinion's label."""
    translate = request.localizer.translate
    themes = summary.fields.get('themes')
    return {'summary': summary, 'url': url,
            'themes': ', '.join(translate(THEMES[t]) for t in themes) if themes else None,
            'referent': summary.fields.get('referent') or None,
            'opinion': OPINION_LABELS.get((summary.opinion or {}).get('opinion'))}


# -- journal entries --------------------------------------------------------------

ACTION_LABELS = {
    'read': _('read'),
    'lookup': _('identity lookup'),
    'create': _('creation'),
    'reassign': _('change of référent'),
    'delegate': _('delegation'),
    'revoke-delegation': _('end of a delegation'),
    'grant': _('note shared with a colleague'),
    'revoke': _('note no longer shared'),
    'transfer': _('transfer to another district'),
    'copy': _('copy of the dossier'),
    'export': _('download of the data'),
    'opinion': _('opinion of the CLI'),
    'request': _('rights request'),
    'answer': _('answer to a rights request'),
    'activation-code': _('account activation code'),
    'absence-delegation': _('dossier entrusted during an absence'),
    'absence-ended': _('end of an absence'),
    'letter': _('letter produced'),
    'import': _('import from the previous information system'),
    # a contract delivered by the feed (docs/feed.md)
    'transmission': _("transmission to the département's information system"),
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
    'user': _('account'), 'transfer': _('transfer request'),
    'requests': _('rights requests'),
    'letter': _('letter'), 'letters': _('list of letters'),
}


def object_label(request, obj):
    """``contract:ab12…`` → "contrat ab12…": the kind in words, the opaque id kept."""
    kind, _sep, ident = obj.partition(':')
    label = request.localizer.translate(OBJECT_LABELS.get(kind, kind))
    return f'{label} {ident[:8]}'.strip()


def item_label(request, dossier, obj):
    """The item ``obj`` of ``dossier`` named as its person knows it: "contrat
    du 15/11/2026", "demande du 02/11/2026 (rectification)"; an item no
    longer held is named by its kind only (never by an opaque id)."""
    translate = request.localizer.translate
    kind, _sep, ident = obj.partition(':')
    if kind == 'contract':
        contract = dossier.contracts.get(ident)
        if contract is None:
            return translate(_('a contract no longer held'))
        day = contract.start_date or contract.created_at
        return translate(_('contract of ${start}', mapping={'start': format_date(day)}))
    if kind == 'request':
        rq = dossier.requests.get(ident)
        if rq is None:
            return translate(_('a rights request'))
        return translate(_('request of ${day} (${kind})', mapping={
            'day': format_date(rq.created_at), 'kind': translate(REQUEST_KINDS[rq.kind])}))
    return translate(OBJECT_LABELS.get(kind, kind))


def entry_rows(request, entries, dossier=None):
    """Display rows of journal entries.  A chain holds hundreds of entries by
    a handful of people about a handful of objects, so who, action and object
    labels are worked out once per distinct value.

    With ``dossier`` (the pages of one dossier: its journal, its copy), the
    items are named as the person knows them (:func:`item_label`) and the
    reader's own entries say "vous"; without it (the DPO's journals), by
    their kind and opaque id."""
    users = request.root.users
    translate = request.localizer.translate
    viewer = request.authenticated_userid if dossier is not None else None
    people, actions, objects = {}, {}, {}
    rows = []
    for entry in entries:
        person = people.get(entry.user)
        if person is None:
            user = users.get(entry.user)
            if viewer is not None and entry.user == viewer:
                person = (translate(_('you')), '')
            else:
                person = (
                    user.fullname if user is not None else translate(_('the portal')),
                    ', '.join(translate(ROLE_LABELS[r]) for r in user.roles) if user else '')
            people[entry.user] = person
        action = actions.get(entry.action)
        if action is None:
            action = actions[entry.action] = action_label(request, entry.action)
        obj = objects.get(entry.object)
        if obj is None:
            obj = objects[entry.object] = (
                item_label(request, dossier, entry.object) if dossier is not None
                else object_label(request, entry.object))
        rows.append({
            'entry': entry,
            'at': datetime.datetime.fromisoformat(entry.at),
            'who': person[0],
            'role': person[1],
            'action': action,
            'object': obj,
        })
    return rows
