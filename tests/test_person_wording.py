"""Wording by role (issue 17): every page the person can reach from their
home, followed link by link as they would, speaks to them: no help text
meant for staff, no point médian, each consent explained in plain sentences
with a link to the information notice."""
from collections import deque
from urllib.parse import urlsplit

from portail.views.labels import READ_BY_BENEFICIARY
from tests.conftest import find_dossier, logged_in
from tests.test_contracts import new_contract

#: pages that are files, or that end the session
SKIP = ('/logout', '.json')


def crawl(browser, start='/', limit=80):
    """``{path: text of <main>}`` of every page reachable by links from ``start``."""
    seen, texts = set(), {}
    queue = deque([start])
    while queue and len(texts) < limit:
        path = queue.popleft()
        if path in seen or any(s in path for s in SKIP):
            continue
        seen.add(path)
        page = browser.get(path)
        if page.status_int != 200 or 'html' not in page.content_type:
            continue
        main = page.html.find('main')
        texts[path] = ' '.join(main.get_text(' ').split()) if main else ''
        for a in page.html.select('a[href]'):
            url = urlsplit(a['href'])
            if url.netloc in ('', 'localhost') and url.path.startswith('/'):
                queue.append(url.path + (f'?{url.query}' if url.query else ''))
    return texts


def test_no_staff_help_text_reaches_the_person(portal):
    with portal.root() as root:
        url = f'/dossiers/{find_dossier(root, "Martin").__name__}/'
    new_contract(logged_in(portal, 'worker1'), url)  # a draft to sign: its page too
    person = logged_in(portal, 'beneficiary1')
    texts = crawl(person)
    assert len(texts) >= 15, sorted(texts)
    assert any('transition' in p and 'name=sign' in p for p in texts)
    assert any('consent?' in p for p in texts)
    staff_only = [portal.fr(READ_BY_BENEFICIARY), "n'y écrivez que des éléments objectifs",
                  'Le bénéficiaire lit ce texte']
    for path, text in texts.items():
        for phrase in staff_only:
            assert phrase.lower() not in text.lower(), (path, phrase)
        assert '·' not in text, (path, text[max(0, text.find('·') - 60):text.find('·') + 20])


def test_each_consent_is_explained_with_a_link_to_the_notice(portal):
    with portal.root() as root:
        dossier = find_dossier(root, 'Martin')
        contract = next(c for c in dossier.contracts.values() if c.state == 'shared')
        url = f'/dossiers/{dossier.__name__}/contracts/{contract.__name__}/'
    person = logged_in(portal, 'beneficiary1')
    page = person.get(url + 'consent?kind=share_cli&decision=withdrawn')
    text = ' '.join(page.html.find('main').get_text(' ').split())
    assert ("Une partie de votre contrat est envoyée à la commission locale d'insertion."
            in text)
    assert 'sa copie est effacée tout de suite' in text
    assert page.html.find('a', href='http://localhost/notice')
    page = person.get(url + 'consent?kind=processing&decision=withdrawn')
    text = ' '.join(page.html.find('main').get_text(' ').split())
    assert "Votre contrat est enregistré dans l'ordinateur du Département." in text
    assert 'votre contrat reste seulement sur papier' in text


def test_the_sign_page_speaks_to_the_person(portal):
    with portal.root() as root:
        url = f'/dossiers/{find_dossier(root, "Martin").__name__}/'
    contract = new_contract(logged_in(portal, 'worker1'), url).location.replace(
        'http://localhost', '')
    page = logged_in(portal, 'beneficiary1').get(contract + 'transition?name=sign')
    text = ' '.join(page.html.find('main').get_text(' ').split())
    assert "tel qu'il est écrit ci-dessous" in text
    assert 'Votre référent lit ce commentaire.' in text
    assert 'Le bénéficiaire lit ce texte' not in text
    # the staff's pages keep their own help
    page = logged_in(portal, 'worker1').get(contract + 'transition?name=close')
    assert 'Le bénéficiaire lit ce texte' in page.text


def sentences_of(page):
    main = page.html.find('main')
    return [' '.join(p.get_text(' ').split()) for p in main.select('.easy-read p')]


def falc(sentences):
    """The easy-to-read rules the pages keep (checked, not assumed): short
    sentences, no abbreviation, no point médian."""
    for sentence in sentences:
        words = sentence.split()
        assert len(words) <= 20, sentence
        for abbreviation in ('CLI', 'RSA', 'DPO', 'RGPD', 'etc.'):
            assert abbreviation not in words and f'({abbreviation})' not in sentence, sentence
        assert '·' not in sentence, sentence


def test_the_notice_in_simple_words_is_linked_from_every_page(portal):
    anonymous = portal.browser()
    page = anonymous.get('/notice-simple')
    sentences = sentences_of(page)
    assert 'Personne d\'autre ne peut lire votre dossier.' in sentences
    falc(sentences)
    assert page.html.find('a', string='Lire le texte complet')
    for browser, path in ((anonymous, '/login'), (logged_in(portal, 'beneficiary1'), '/'),
                          (logged_in(portal, 'worker1'), '/')):
        footer = browser.get(path).html.find('footer')
        assert footer.find('a', string='En mots simples')['href'].endswith('/notice-simple')


def test_the_contract_in_simple_words(portal):
    with portal.root() as root:
        dossier = find_dossier(root, 'Martin')
        contract = next(c for c in dossier.contracts.values() if c.state == 'shared')
        url = f'/dossiers/{dossier.__name__}/contracts/{contract.__name__}/'
        start, end, review = contract.start_date, contract.end_date, contract.review_date
    months = ('janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
              'septembre', 'octobre', 'novembre', 'décembre')

    def said(day):
        return f'{day.day} {months[day.month - 1]} {day.year}'

    person = logged_in(portal, 'beneficiary1')
    page = person.get(url)
    page = person.get(page.html.find('a', string='Le contrat en mots simples')['href'])
    sentences = sentences_of(page)
    assert sentences[1:8] == [
        'Vous avez signé ce contrat avec Wanda Travailleuse.',
        f'Il commence le {said(start)}.', 'Il dure 6 mois.',
        f'Il finit le {said(end)}.', 'Il parle de : emploi, mobilité.',
        f'Vous ferez le point avec votre référent le {said(review)}.',
        "La commission locale d'insertion a reçu une partie de ce contrat."]
    falc(sentences[1:8])
    text = page.html.find('main').get_text(' ')
    assert 'Ce que vous allez faire' in text and "atelier de recherche d'emploi" in text
    # read as the contract is: the same people, journaled
    for login in ('worker3', 'cli1', 'admin1', 'dpo1', 'beneficiary2'):
        logged_in(portal, login).get(url + 'simple', status=403)
