"""Portability and copy (docs/domain.md, *Rights of the person*): everything held on the person, as
one JSON document (structure documented in ``docs/export.md``) and as a printable page.
The beneficiary downloads it; the référent produces the same copy for a person
who asks on paper.  The copy is always what the person is entitled to, whoever
makes it: a note holding third-party information appears by its date and
author only."""
import json

from pyramid.response import Response
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.clock import utcnow
from portail.journal.record import journal_of, record
from portail.models.cli import summary_of
from portail.models.contract import THEMES
from portail.models.dossier import Dossier
from portail.timefmt import format_date, format_datetime
from portail.views.contract_display import shown_fields
from portail.views.labels import (
    CHANNEL_LABELS,
    DECISION_LABELS,
    KIND_LABELS,
    OPINION_LABELS,
    district_name,
    user_name,
)
from portail.views.listings import entry_rows
from portail.workflow.contract import STATES

FORMAT = 'portail-export'
VERSION = 1


def _iso(value):
    return value.isoformat() if value is not None else None


def contract_data(request, contract):
    cli = None
    summary = summary_of(request.root, contract)
    if summary is not None:
        cli = {'reference': summary.pseudonym, 'shared_at': _iso(summary.shared_at),
               'fields': summary.fields}
    return {
        'id': contract.__name__,
        'state': contract.state,
        'version': contract.version,
        **contract.content(),
        'end_date': _iso(contract.end_date),
        'theme_labels': [request.localizer.translate(THEMES[t]) for t in contract.themes],
        'history': [{'at': _iso(r.at), 'transition': r.transition, 'from': r.source or None,
                     'to': r.target, 'by': user_name(request, r.actor), 'comment': r.comment,
                     'channel': r.channel or None} for r in contract.history],
        'consents': [{'kind': c.kind, 'decision': c.decision, 'at': _iso(c.at),
                      'channel': c.channel, 'recorded_by': user_name(request, c.recorded_by),
                      'note': c.note} for c in contract.consents],
        'earlier_versions': [dict(v) for v in contract.versions],
        'cli_summary': cli,
        'cli_opinion': contract.cli_opinion,
    }


def export_data(request, dossier):
    """The person's whole copy, as plain JSON-ready values with stable keys."""
    notes = [{'id': note.__name__, 'created_at': _iso(note.created_at),
              'author': user_name(request, note.author), 'third_party': note.third_party,
              'text': None if note.third_party else note.text}
             for note in sorted(dossier.notes.values(), key=lambda n: n.created_at)]
    chain = journal_of(request).chains.get(dossier.__name__)
    journal = entry_rows(request, chain.values()) if chain is not None else []
    contracts = sorted(dossier.contracts.values(), key=lambda c: c.created_at)
    return {
        'format': FORMAT,
        'version': VERSION,
        'generated_at': _iso(utcnow(request.registry)),
        'dossier': dossier.__name__,
        'identity': {'last_name': dossier.last_name, 'first_names': dossier.first_names,
                     'birth_date': _iso(dossier.birth_date)},
        'administrative': {'address': dossier.address, 'phone': dossier.phone,
                           'email': dossier.email, 'household_size': dossier.household_size},
        'district': district_name(request, dossier.district),
        'referent': user_name(request, dossier.referent),
        'contracts': [contract_data(request, c) for c in contracts],
        'notes': notes,
        'access_journal': [{'at': r['entry'].at, 'who': r['who'], 'role': r['role'],
                            'action': r['action'], 'object': r['object'],
                            'level': r['entry'].level} for r in journal],
    }


@view_config(context=Dossier, name='export.json', permission=P.EXPORT_DOSSIER, journal=False)
def export_json_view(request):
    dossier = request.context
    data = export_data(request, dossier)
    record(request, dossier.__name__, 'dossier', 'export', 2)
    # no indent: with one, the json module falls back to its pure-Python
    # encoder, ten times slower on a long journal (the printable copy is the
    # page meant for reading)
    body = json.dumps(data, ensure_ascii=False, sort_keys=True)
    response = Response(body=body.encode('utf-8'), content_type='application/json',
                        charset='utf-8')
    response.content_disposition = f'attachment; filename="dossier-{dossier.__name__}.json"'
    return response


@view_config(context=Dossier, name='copy', renderer='portail:templates/dossiers/copy.pt',
             permission=P.EXPORT_DOSSIER, journal=False)
def copy_view(request):
    """The same copy as a printable page, in words: every code of the JSON
    document (state, consent, decision, channel) by its label, dates as
    dd/mm/yyyy and times in local time (issue 17)."""
    dossier = request.context
    record(request, dossier.__name__, 'dossier', 'copy', 2)
    return {'copy': printable_copy(request, dossier), 'dossier': dossier}


def _label(request, labels, code):
    """``code``'s label in ``labels``, translated; an unknown code as it is."""
    return request.localizer.translate(labels[code]) if code in labels else (code or '')


def printable_copy(request, dossier):
    """Everything :func:`export_data` holds, ready to read."""
    notes = [{'at': format_datetime(note.created_at), 'author': user_name(request, note.author),
              'third_party': note.third_party, 'text': None if note.third_party else note.text}
             for note in sorted(dossier.notes.values(), key=lambda n: n.created_at)]
    chain = journal_of(request).chains.get(dossier.__name__)
    journal = [dict(row, at=format_datetime(row['at']))
               for row in (entry_rows(request, chain.values(), dossier) if chain else [])]
    return {
        'made_on': format_date(utcnow(request.registry)),
        'identity': {'last_name': dossier.last_name, 'first_names': dossier.first_names,
                     'birth_date': format_date(dossier.birth_date)},
        'administrative': {'address': dossier.address, 'phone': dossier.phone,
                           'email': dossier.email, 'household_size': dossier.household_size},
        'district': district_name(request, dossier.district),
        'referent': user_name(request, dossier.referent),
        'contracts': [printable_contract(request, c) for c in
                      sorted(dossier.contracts.values(), key=lambda c: c.created_at)],
        'notes': notes,
        'journal': journal,
    }


def printable_contract(request, contract):
    summary = summary_of(request.root, contract)
    opinion = contract.cli_opinion or {}
    return {
        'start_date': format_date(contract.start_date),
        'end_date': format_date(contract.end_date),
        'review_date': format_date(contract.review_date),
        'state': _label(request, STATES, contract.state),
        'duration_months': contract.duration_months or '',
        'themes': ', '.join(request.localizer.translate(THEMES[t]) for t in contract.themes),
        'actions': contract.actions,
        'commitments': contract.commitments,
        'consents': [{'at': format_datetime(c.at),
                      'kind': _label(request, KIND_LABELS, c.kind),
                      'decision': _label(request, DECISION_LABELS, c.decision),
                      'channel': _label(request, CHANNEL_LABELS, c.channel),
                      'by': user_name(request, c.recorded_by)} for c in contract.consents],
        'history': [{'at': format_datetime(r.at), 'by': user_name(request, r.actor),
                     'to': _label(request, STATES, r.target), 'comment': r.comment}
                    for r in contract.history],
        'cli': shown_fields(request, summary) if summary is not None else None,
        'opinion': _label(request, OPINION_LABELS, opinion.get('opinion')),
        'opinion_comment': opinion.get('comment', ''),
    }
