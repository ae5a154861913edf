"""The rule of the backend suite: skip without a server, except in CI
(``PORTAIL_REQUIRE_BACKENDS=1``) where a missing server fails the tests."""
import pytest

from tests.backends import servers


def test_a_missing_server_skips_with_a_message(monkeypatch):
    monkeypatch.delenv('PORTAIL_REQUIRE_BACKENDS', raising=False)
    monkeypatch.delenv('PORTAIL_TEST_PG_DSN', raising=False)
    with pytest.raises(pytest.skip.Exception, match='PORTAIL_TEST_PG_DSN is not set'):
        servers.postgres_settings()


def test_a_missing_server_fails_when_backends_are_required(monkeypatch):
    monkeypatch.setenv('PORTAIL_REQUIRE_BACKENDS', '1')
    monkeypatch.delenv('PORTAIL_TEST_PG_DSN', raising=False)
    with pytest.raises(pytest.fail.Exception, match='may not skip'):
        servers.postgres_settings()


def test_an_unreachable_server_fails_when_backends_are_required(monkeypatch):
    monkeypatch.setenv('PORTAIL_REQUIRE_BACKENDS', '1')
    monkeypatch.setenv('PORTAIL_TEST_PG_DSN',
                       f'postgres://nobody:nothing@127.0.0.1:{servers.free_port()}')
    with pytest.raises(pytest.fail.Exception, match='unreachable'):
        servers.postgres_settings()


def test_the_ini_files_name_each_backend_s_databases():
    zeo = servers.ini_uris('zeo.ini')
    assert [uri.split('?')[1].split('&')[0] for uri in zeo.values()] == [
        'storage=main', 'storage=sessions', 'storage=journal']
    postgres = servers.ini_uris('postgres.ini')
    assert [uri.split('?')[0].rsplit('/', 1)[1] for uri in postgres.values()] == [
        'portail_main', 'portail_sessions', 'portail_journal']
    assert all('keep_history=false' in uri for uri in postgres.values())
