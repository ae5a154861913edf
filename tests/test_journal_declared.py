"""Journaling by declaration (portail.journal.deriver): every view on dossier
content declares its ``journal`` option, and ``journal='read'`` journals the
read of the context."""
import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.response import Response

from portail.journal.deriver import undeclared_views
from portail.models.dossier import Dossier
from portail.models.root import PortalRoot
from tests.conftest import find_dossier, logged_in
from tests.test_contracts import form_posting_to
from tests.test_journal import JournalAccess, entries


def test_every_view_on_dossier_content_declares_what_it_journals(portal):
    views = [intr['introspectable'] for intr in portal.registry.introspector.get_category('views')]
    assert undeclared_views(portal.registry.introspector) == []
    declared = [v for v in views if 'journal' in v]
    assert len(declared) >= 27  # the walk does see the portal's views


def _bare_view(context, request):
    return Response('shown')


def test_the_walk_finds_a_view_on_dossier_content_that_declares_nothing():
    config = Configurator()
    config.include('portail.journal.deriver')
    config.add_view(_bare_view, context=Dossier, name='forgotten')
    config.add_view(_bare_view, context=Dossier, name='shown', journal='read')
    config.add_view(_bare_view, context=Dossier, name='changed', journal=False)
    config.add_view(_bare_view, context=PortalRoot, name='elsewhere')
    config.commit()
    assert undeclared_views(config.registry.introspector) == [(Dossier, 'forgotten', _bare_view)]


@pytest.mark.parametrize('options', [
    {'context': Dossier, 'journal': 'write'},
    {'context': Dossier, 'journal': True},
    {'context': PortalRoot, 'journal': 'read'},
    {'journal': 'read'},
])
def test_a_wrong_declaration_is_refused_when_the_app_is_built(options):
    config = Configurator()
    config.include('portail.journal.deriver')
    config.add_view(_bare_view, name='wrong', **options)
    with pytest.raises(ConfigurationError):
        config.commit()


def martin_contract_and_note(portal):
    with portal.root() as root:
        martin = find_dossier(root, 'Martin')
        contract = next(iter(martin.contracts.values()))
        note = next(n for n in martin.notes.values() if not n.third_party)
        return martin.__name__, contract.__name__, note.__name__


def test_a_declared_view_journals_the_read_of_its_context_with_its_level(portal):
    dossier, contract, note = martin_contract_and_note(portal)
    worker = logged_in(portal, 'worker1')
    before = len(entries(portal, dossier))
    worker.get(f'/dossiers/{dossier}/contracts/{contract}/')
    worker.get(f'/dossiers/{dossier}/notes/{note}/')
    worker.get(f'/dossiers/{dossier}/')
    added = [(e.action, e.object, e.level) for e in entries(portal, dossier)[before:]]
    assert added == [('read', f'contract:{contract}', 2), ('read', f'note:{note}', 3),
                     ('read', 'dossier', 2)]


def test_a_refused_view_journals_no_read(portal):
    dossier, contract, _note = martin_contract_and_note(portal)
    before = len(entries(portal, dossier))
    outsider = logged_in(portal, 'worker3')  # another district
    response = outsider.get(f'/dossiers/{dossier}/contracts/{contract}/', status='*')
    assert response.status_int in (403, 404)
    assert len(entries(portal, dossier)) == before


def cli_summary_reads(portal, name):
    with JournalAccess(portal) as journal:
        return [(e.action, e.level) for chain in journal.chains.values()
                for e in chain.values() if e.object == f'cli-summary:{name}']


def test_a_cli_summary_read_is_journaled_when_shown_and_when_shown_again_with_an_error(portal):
    cli = logged_in(portal, 'cli1')
    with portal.root() as root:
        district = find_dossier(root, 'Martin').district
    link = cli.get(f'/cli/{district}/').html.select('tbody a')[0]['href']
    name = link.rstrip('/').rsplit('/', 1)[-1]
    # the worklist shows the themes the référent shared: a read already
    assert cli_summary_reads(portal, name) == [('read', 2)]
    page = cli.get(link)
    assert cli_summary_reads(portal, name) == [('read', 2)] * 2
    page = form_posting_to(page, '/opinion').submit(status=400)
    assert "Choisissez l'avis de la CLI" in page.text
    assert cli_summary_reads(portal, name) == [('read', 2)] * 3
