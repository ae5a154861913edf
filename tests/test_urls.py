"""Listing URLs built from their container's URL equal Pyramid's own."""
from portail.urls import child_url_maker
from tests.conftest import RequestAs, find_dossier, logged_in


def test_child_urls_equal_resource_urls(portal):
    with RequestAs(portal, logged_in(portal, 'worker1')) as request:
        dossiers = request.root.dossiers
        dossier = find_dossier(request.root, 'Martin')
        contract = next(iter(dossier.contracts.values()))
        url = child_url_maker(request, dossiers)
        assert url(dossier.__name__) == request.resource_url(dossier)
        assert (url(dossier.__name__, 'contracts', contract.__name__)
                == request.resource_url(contract))
        assert url('a b/c') == request.resource_url(dossiers) + 'a%20b%2Fc/'


def test_caseload_shows_translated_states_and_working_links(portal):
    worker = logged_in(portal, 'worker1')
    home = worker.get('/')
    row = next(tr for tr in home.html.select('tbody tr') if 'MARTIN' in tr.text)
    assert 'partagé avec la CLI' in row.text  # the current contract's state, translated
    assert 'MARTIN Bernard' in worker.get(row.select_one('a')['href']).text
