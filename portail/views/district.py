"""A district's dossiers by référent, for its qualified manager, and moving
a leaving worker's whole caseload in one action (issue 16).

``/districts/<id>/caseloads`` lists the district's social workers with the
size of their caseload, and one référent's dossiers (level 2 fields only:
never a note), 50 a page, read from the dossiers' summaries in name order
(:mod:`portail.models.caseload`).
``/districts/<id>/reassign-caseload`` moves every dossier of one référent to
another worker of the district, after a confirmation, and journals the
change on each dossier.  Only a manager of the district who is a qualified
social worker holds ``manage_caseloads`` (docs/security.md); the same
manager may open the dossiers, and move one of them from its own page.
"""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.acl.roles import WORKER
from portail.clock import utcnow
from portail.flash import flash
from portail.i18n import _
from portail.journal.record import record
from portail.models.district import District
from portail.paging import listing, requested_page
from portail.timefmt import format_date
from portail.urls import child_url_maker
from portail.views.forms import CSRFSchema, make_form, validate
from portail.views.labels import user_name
from portail.workflow.contract import STATES

#: the parameter of the page of one référent's dossiers
PAGE = 'page'
#: what the navigation between the pages of a caseload is called (aria-label)
PAGER_LABEL = _('Pages of the caseload')


def district_workers(request, district_id):
    """``[(uid, name)]`` of the district's social workers (enabled or not:
    a leaving worker may be disabled already), by name."""
    users = request.root.users.with_role(district_id, WORKER)
    return sorted(((u.uid, u.fullname, u.disabled) for u in users), key=lambda w: w[1])


def caseload_rows(request, uid, page):
    """One page of the dossiers of référent ``uid``, by name: one range of
    the référent → name index of the dossiers' summaries
    (:mod:`portail.models.caseload`), no dossier or contract opened."""
    dossiers = request.root.dossiers
    url = child_url_maker(request, dossiers)
    rows = []
    for name, summary in dossiers.caseload_of(uid)[page.start:page.start + page.size]:
        rows.append({
            'name': summary.name,
            'birth_date': format_date(summary.birth_date),
            'state': STATES.get(summary.state) if summary.state is not None else None,
            'review': format_date(summary.review),
            'url': url(name),
            'reassign_url': url(name) + 'reassign',
            'reassign_label': _('Reassign the dossier of ${name}',
                                mapping={'name': summary.name}),
        })
    return rows


@view_config(context=District, name='caseloads', renderer='portail:templates/district/caseloads.pt',
             permission=P.MANAGE_CASELOADS)
def caseloads_view(request):
    district = request.context
    dossiers = request.root.dossiers
    workers = [{'uid': uid, 'name': name, 'disabled': disabled,
                'count': len(dossiers.by_referent.get(uid, ())),
                'url': request.resource_url(district, 'caseloads', query={'referent': uid}),
                'move_url': request.resource_url(district, 'reassign-caseload',
                                                 query={'from': uid}),
                'show_label': _('Show the dossiers of ${name}', mapping={'name': name}),
                'move_label': _('Move the caseload of ${name}', mapping={'name': name})}
               for uid, name, disabled in district_workers(request, district.__name__)]
    chosen = request.GET.get('referent')
    shown = next((w for w in workers if w['uid'] == chosen), None)
    dossier_listing = None
    if shown is not None:
        page = requested_page(request, PAGE, shown['count'])
        dossier_listing = listing(caseload_rows(request, chosen, page), page,
                                  lambda number: request.resource_url(
                                      district, 'caseloads',
                                      query={'referent': chosen, PAGE: number}))
    return {'district': district, 'workers': workers, 'shown': shown,
            'dossiers': dossier_listing, 'pager_label': PAGER_LABEL}


class ReassignCaseloadSchema(CSRFSchema):
    to = colander.SchemaNode(
        colander.String(), title=_('New référent'),
        widget=deform.widget.SelectWidget())
    confirm = colander.SchemaNode(
        colander.Boolean(), title=_('I confirm: every dossier of this caseload changes référent'),
        widget=deform.widget.CheckboxWidget(), missing=False,
        validator=colander.Function(lambda value: value is True,
                                    _('Tick the box to confirm the move.')))


@view_config(context=District, name='reassign-caseload', renderer='portail:templates/form.pt',
             permission=P.MANAGE_CASELOADS)
def reassign_caseload_view(request):
    """Move every dossier of the référent ``?from=`` to another worker."""
    district = request.context
    workers = district_workers(request, district.__name__)
    source = request.params.get('from')
    names = {uid: name for uid, name, _disabled in workers}
    back = request.resource_url(district, 'caseloads')
    if source not in names:
        flash(request, _('Choose the référent whose caseload moves.'))
        return HTTPSeeOther(back)
    dossiers = request.root.dossiers
    moving = sorted(dossiers.by_referent.get(source, ()))
    choices = [(uid, name) for uid, name, disabled in workers if uid != source and not disabled]
    schema = ReassignCaseloadSchema().clone()
    schema['to'].widget = deform.widget.SelectWidget(
        values=[('', request.localizer.translate(_('— choose —')))] + choices)
    schema['to'].validator = colander.OneOf([uid for uid, _name in choices])
    form = make_form(request, schema, _('Move the caseload'))
    page = {'title': _('Move the caseload of ${name}', mapping={'name': names[source]}),
            'intro': _('${n} dossiers move to the worker you choose, with their contracts, '
                       'notes and history; each move is written in the person\'s journal. '
                       'The former référent keeps access to none of them.',
                       mapping={'n': len(moving)})}
    if request.method != 'POST':
        return dict(page, form=form.render())
    appstruct, rendered = validate(form, request)
    if appstruct is None:
        return dict(page, form=rendered)
    now = utcnow(request.registry)
    target = appstruct['to']
    for name in moving:
        dossier = dossiers[name]
        dossiers.set_referent(dossier, target)
        dossier.touch(request.authenticated_userid, now)
        record(request, name, 'dossier', 'reassign', 2, target)
    flash(request, _('${n} dossiers moved from ${old} to ${new}.',
                     mapping={'n': len(moving), 'old': names[source],
                              'new': user_name(request, target)}))
    return HTTPSeeOther(request.resource_url(district, 'caseloads', query={'referent': target}))
