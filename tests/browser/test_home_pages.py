"""Each role logs in through the login page and reaches its home page; a
screenshot of each home page is saved for the CI artifacts (and docs/testing.md)."""
import pytest

ROLES = [
    ('worker1', 'Bonjour Wanda Travailleuse', 'Mes dossiers'),
    ('secretary1', 'Bonjour Sophie Secrétaire', 'Contrats à saisir'),
    ('cli1', 'Bonjour Claire Animatrice', 'À examiner en CLI'),
    ('beneficiary1', 'Bonjour Bernard Bénéficiaire', 'Mes contrats'),
    ('manager2', 'Bonjour Maud Responsable', 'responsable de circonscription'),
    ('admin1', 'Comptes', 'Afficher uniquement les comptes verrouillés'),
    ('dpo1', 'Bonjour Denis Délégué', 'Journaux des accès'),
]


@pytest.mark.parametrize(('login', 'title', 'landmark'), ROLES)
def test_each_role_reaches_its_home_page(open_browser, artifacts, login, title, landmark):
    me = open_browser()
    page = me.login(login)
    assert page.get_by_role('heading', level=1).inner_text() == title
    assert landmark in page.locator('main').inner_text() + page.locator('nav').inner_text()
    page.screenshot(path=artifacts / f'home-{login}.png', full_page=True)
    page = me.logout()
    assert page.get_by_role('heading', level=1).inner_text() == 'Connexion au portail'
