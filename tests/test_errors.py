"""Error pages are French and never show a traceback."""
from portail.models.user import Users
from tests.conftest import logged_in


def test_unexpected_error_gives_a_french_500(portal, monkeypatch):
    admin = logged_in(portal, 'admin1')

    def explode(self, *args):
        raise RuntimeError('secret internals')

    monkeypatch.setattr(Users, 'page', explode)
    page = admin.get('/users/', status=500)
    assert 'Erreur inattendue' in page.text
    assert 'secret internals' not in page.text and 'Traceback' not in page.text
    assert page.headers['Cache-Control'] == 'no-store'


def test_404_and_403_are_french(portal):
    worker = logged_in(portal, 'worker1')
    assert 'Page introuvable' in worker.get('/nowhere', status=404).text
    assert 'Accès refusé' in worker.get('/users/', status=403).text


def test_language_switch(portal):
    browser = portal.browser()
    page = browser.get('/login')
    english = page.forms['language'].submit('lang', value='en').follow()
    assert '<html lang="en">' in english.text and 'Password' in english.text
    french = english.forms['language'].submit('lang', value='fr').follow()
    assert 'Mot de passe' in french.text
    # an outside address is never followed
    response = browser.post('/language', {'lang': 'en', 'came_from': '//evil.example/',
                                          'csrf_token': browser.csrf()})
    assert response.location.endswith('://localhost/')


def test_refusals_of_bad_input_speak_the_chosen_language(portal):
    """The 400 and 413 pages of :mod:`portail.badinput` are translated like
    every page, and carry the security headers."""
    browser = portal.browser()
    page = browser.get('/login')
    page.forms['language'].submit('lang', value='en').follow()
    refused = browser.get('/login?reason=%FF', status=400)
    assert '<h1>Unreadable address or form</h1>' in refused.text
    assert refused.headers['X-Content-Type-Options'] == 'nosniff'
    big = browser.post('/login', {'login': 'x' * (1024 * 1024), 'csrf_token': browser.csrf()},
                       status=413)
    assert '<h1>Request too large</h1>' in big.text and '1 MB' in big.text
    assert big.headers['Cache-Control'] == 'no-store'
