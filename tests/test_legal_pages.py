"""The legal pages (issue 18; portail/legal.py, portail/views/legal.py): the
information notice completed for GDPR article 13, the accessibility statement
(RGAA 4.1) and the legal notice, public, read from the settings, linked from
the footer of every page, in French and in English."""
import pytest

from portail.models.contract import FIELD_LABELS
from portail.workflow.contract import SHAREABLE_FIELDS
from tests.conftest import Portal, logged_in

#: a département's own settings: every value must show on its page
OWN = {
    'portail.departement_name': 'Département du Val-Témoin',
    'portail.departement_address': '12 rue des Essais, 99999 Témoinville',
    'portail.departement_phone': '01 99 00 00 01',
    'portail.publication_director': 'La présidente du conseil départemental du Val-Témoin',
    'portail.dpo_address': 'DPD du Val-Témoin, 12 rue des Essais, 99999 Témoinville',
    'portail.dpo_email': 'dpd@val-temoin.invalid',
    'portail.host_name': 'Hébergeur Témoin SAS',
    'portail.host_address': '7 avenue des Serveurs, 99998 Nuage',
    'portail.host_phone': '01 99 00 00 02',
    'portail.accessibility_contact': 'https://val-temoin.invalid/contact-accessibilite',
    'portail.accessibility_statement_date': '2027-01-15',
    'portail.accessibility_status': 'partial',
    'portail.retention_years': '3',
    'portail.journal_retention_months': '6',
}

FOOTER = {'/notice': 'Comment vos données sont traitées',
          '/notice-simple': 'En mots simples',
          '/accessibility': 'Accessibilité : non conforme',
          '/legal': 'Mentions légales'}


def main_text(page):
    return ' '.join(page.html.find('main').get_text(' ').split())


@pytest.fixture
def own():
    return Portal(OWN).initialise()


def test_the_legal_pages_are_public_and_say_the_demo_departement(portal):
    anonymous = portal.browser()
    for path, title in (('/notice', "Notice d'information"),
                        ('/accessibility', "Déclaration d'accessibilité"),
                        ('/legal', 'Mentions légales')):
        page = anonymous.get(path)
        assert page.status_int == 200
        assert page.html.find('title').get_text() == f'{title} — Portail — Département de ' \
                                                      'démonstration'
        assert 'Département de démonstration' in main_text(page)


def test_the_notice_holds_what_gdpr_article_13_requires(own):
    text = main_text(own.browser().get('/notice'))
    # the controller and its data protection officer, from the settings
    assert ('Le responsable du traitement est Département du Val-Témoin, 12 rue des Essais, '
            '99999 Témoinville.') in text
    assert 'Téléphone : 01 99 00 00 01' in text
    assert 'DPD du Val-Témoin, 12 rue des Essais, 99999 Témoinville' in text
    assert 'dpd@val-temoin.invalid' in text
    # purposes and legal basis
    for said in ('Pour quoi faire', "Établir, signer et suivre votre contrat d'insertion",
                 'Sur quelle base légale', "Code de l'action sociale et des familles",
                 'L262-27', 'RGPD, article 6.1 c et e',
                 'La transmission à la CLI repose sur votre consentement (RGPD, article 6.1 a)',
                 "Aucune décision vous concernant n'est prise automatiquement."):
        assert said in text, said
    # the recipients: the CLI and exactly the fields it may receive
    assert 'reçoit un résumé sous une référence pseudonyme, jamais votre adresse' in text
    fields = ', '.join(own.fr(FIELD_LABELS[name]) for name in SHAREABLE_FIELDS)
    assert f'parmi ceux-ci : {fields}.' in text
    assert 'Adresse' not in fields
    # each right and where it is used
    for said in ('Accès :', '« Qui a consulté mon dossier »',
                 'Portabilité :', 'fichier (JSON)',
                 'Rectification, effacement, limitation, opposition :',
                 "« Demandes d'exercice des droits »", "dans un délai d'un mois",
                 'Retrait du consentement :', 'Sur papier :'):
        assert said in text, said
    # the right to complain to the CNIL
    assert 'réclamation à la Commission nationale' in text
    assert 'CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07' in text
    assert own.browser().get('/notice').html.find('a', href='https://www.cnil.fr/fr/plaintes')


@pytest.mark.parametrize(('years', 'months', 'dossier', 'journal'), [
    ('2', '12', '2 ans', '12 mois'),
    ('1', '6', 'un an', '6 mois'),
    ('5', '1', '5 ans', 'un mois'),
])
def test_the_retention_periods_follow_the_settings(years, months, dossier, journal):
    portal = Portal({'portail.retention_years': years,
                     'portail.journal_retention_months': months}).initialise(demo=False)
    browser = portal.browser()
    text = main_text(browser.get('/notice'))
    assert f'Un dossier sans contrat en cours est effacé {dossier} après le dernier contact' \
        in text
    assert f'qui a lu ou modifié votre dossier est conservé {journal}.' in text
    simple = main_text(browser.get('/notice-simple'))
    assert f'votre dossier est effacé {dossier} après votre dernier contact.' in simple
    assert f'La liste des personnes qui ont lu votre dossier est gardée {journal}.' in simple


def test_the_notice_in_simple_words_tells_how_to_complain(portal):
    page = portal.browser().get('/notice-simple')
    text = main_text(page)
    assert "Vous pouvez vous plaindre à la Commission nationale de l'informatique et des " \
           'libertés.' in text
    assert page.html.find('main').find('a', href='https://www.cnil.fr')
    assert 'deux ans' not in text and 'un an.' not in text


def test_the_accessibility_statement(portal, own):
    text = main_text(portal.browser().get('/accessibility'))
    # without an audit of the RGAA's criteria, the status is "non conforme"
    assert 'Portail est non conforme avec le RGAA, version 4.1' in text
    assert "Cette déclaration d'accessibilité s'applique à Portail, http://localhost." in text
    for said in ('axe-core', 'WCAG 2.0 et 2.1, niveaux A et AA', '320 et 640 pixels CSS',
                 'la page de connexion', "la page d'accueil de chaque rôle",
                 "Aucun audit manuel des critères du RGAA n'a été réalisé.",
                 "Cette déclaration a été établie le 29/11/2026.",
                 'accessibilite@departement-demonstration.invalid',
                 'https://formulaire.defenseurdesdroits.fr/',
                 'Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07'):
        assert said in text, said
    page = own.browser().get('/accessibility')
    text = main_text(page)
    assert 'Portail est partiellement conforme avec le RGAA, version 4.1' in text
    assert 'non conforme' not in text
    assert 'Cette déclaration a été établie le 15/01/2027.' in text
    assert page.html.find('a', href=OWN['portail.accessibility_contact'])
    footer = page.html.find('footer')
    assert footer.find('a', string='Accessibilité : partiellement conforme')


def test_the_legal_notice(own):
    page = own.browser().get('/legal')
    text = main_text(page)
    for said in ('Éditeur Département du Val-Témoin 12 rue des Essais, 99999 Témoinville '
                 'Téléphone : 01 99 00 00 01',
                 'Directeur de la publication La présidente du conseil départemental du '
                 'Val-Témoin',
                 'Hébergeur Hébergeur Témoin SAS 7 avenue des Serveurs, 99998 Nuage '
                 'Téléphone : 01 99 00 00 02',
                 "licence publique de l'Union européenne (EUPL), version 1.2", 'EUPL-1.2'):
        assert said in text, said
    main = page.html.find('main')
    assert main.find('a', href='http://localhost/notice')
    assert main.find('a', href='http://localhost/accessibility')


def footer_links(page):
    footer = page.html.find('footer')
    return {a['href'].removeprefix('http://localhost'): ' '.join(a.get_text().split())
            for a in footer.find_all('a')}


def test_the_footer_links_every_legal_page_for_everyone(portal):
    anonymous = portal.browser()
    pages = [(anonymous.get('/login'), False), (anonymous.get('/legal'), False)]
    for login, staff in (('worker1', True), ('beneficiary1', False), ('admin1', True)):
        browser = logged_in(portal, login)
        pages.append((browser.get('/').maybe_follow(), staff))
    for page, staff in pages:
        links = footer_links(page)
        # staff accounts also find the confidentiality charter they accepted
        assert links.pop('/charter/', None) == ('Charte de confidentialité' if staff else None)
        assert links == FOOTER, links
        for path in links:
            assert anonymous.get(path).status_int == 200
    # and on an error page, which renders without any database
    assert footer_links(anonymous.get('/no-such-page', status=404)) == FOOTER


def test_the_legal_pages_in_english(portal):
    browser = portal.browser()
    browser.set_cookie('portail_lang', 'en')
    notice = browser.get('/notice')
    text = main_text(notice)
    assert 'The controller of the processing is Département de démonstration' in text
    assert 'A dossier with no open contract is erased 2 years after the last contact' in text
    assert 'the right to complain' in text.lower()
    assert 'Portail is not compliant with the RGAA' in main_text(browser.get('/accessibility'))
    legal = browser.get('/legal')
    assert 'Director of publication' in main_text(legal)
    assert footer_links(legal) == {
        '/notice': 'How your data is processed', '/notice-simple': 'In simple words',
        '/accessibility': 'Accessibility: not compliant', '/legal': 'Legal notice'}


def test_a_bad_legal_setting_stops_start_up():
    with pytest.raises(ValueError, match='portail.accessibility_status'):
        Portal({'portail.accessibility_status': 'partiellement'})
    with pytest.raises(ValueError, match='portail.accessibility_statement_date.*YYYY-MM-DD'):
        Portal({'portail.accessibility_statement_date': '15/01/2027'})
