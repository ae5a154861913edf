"""Each role's home section speaks of its scope (issue 16)."""
from tests.conftest import logged_in


def test_the_director_s_home_speaks_of_the_departement(portal):
    page = logged_in(portal, 'director1').get('/')
    main = page.html.find('main').get_text(' ', strip=True)
    assert 'Le département' in main and 'direction du département' in main
    assert 'Ma circonscription' not in main
    page = logged_in(portal, 'manager1').get('/')
    assert 'Ma circonscription' in page.html.find('main').get_text(' ', strip=True)
