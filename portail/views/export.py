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
from portail.views.labels import district_name, user_name
from portail.views.listings import entry_rows

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
    """The same copy as a printable page."""
    dossier = request.context
    record(request, dossier.__name__, 'dossier', 'copy', 2)
    return {'data': export_data(request, dossier), 'dossier': dossier}
