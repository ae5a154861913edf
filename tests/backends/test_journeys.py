"""The contract journeys of the main suite, run for real on a ZEO server and
on RelStorage over PostgreSQL: the tests are imported from their modules and
collected here again with this directory's ``portal`` fixture, so the very
same code runs on every storage.  (The main suite runs them in process; the
concurrency and backup tests use real FileStorage files.)"""
import pytest

from tests.backends.conftest import BACKENDS, SERVER_BACKENDS, storage_settings
from tests.test_cli import test_share_opinion_and_withdrawal  # noqa: F401
from tests.test_contracts import (  # noqa: F401
    test_amendment_keeps_the_earlier_version,
    test_automatic_closing_after_the_end_date,
    test_lost_update_gives_a_409_naming_who_changed,
    test_online_journey,
    test_paper_journey,
    test_two_users_on_the_same_transition,
    test_withdrawing_processing_turns_contracts_into_paper,
)
from tests.test_journal import (  # noqa: F401
    test_a_read_is_journaled_once_even_when_the_request_is_retried,
    test_lookup_transitions_consents_and_roles_are_journaled,
)


@pytest.fixture(params=SERVER_BACKENDS)
def backend(request, tmp_path):
    return request.param, storage_settings(request, request.param, tmp_path)


@pytest.mark.parametrize('name', BACKENDS)
def test_the_databases_are_the_backend_s(request, tmp_path, make_portal, name):
    """The portal really runs on the backend under test, all three databases."""
    portal = make_portal(storage_settings(request, name, tmp_path), demo=False)
    expected = {'file': 'FileStorage', 'zeo': 'ClientStorage', 'postgres': 'RelStorage'}[name]
    databases = portal.registry._zodb_databases
    assert set(databases) == {'', 'sessions', 'journal'}
    for db in databases.values():
        assert type(db.storage).__name__ == expected
    if name == 'postgres':
        assert not portal.db.storage._options.keep_history
