"""The DPO's unusual-access report (``/unusual-access``): many lookups in a
day, reads outside one's caseload and delegations, reads at night, bursts
of reads; each line leads to the journal.  Read from the day records the
journal writer keeps (:mod:`portail.journal.activity`)."""
from datetime import timedelta

from portail.journal import activity
from portail.journal.model import JOURNAL_DB, ROOT_KEY
from portail.views.listings import ACTION_LABELS
from tests.conftest import PortalTransaction, find_dossier, logged_in
from tests.test_dossiers import lookup


class JournalRoot(PortalTransaction):
    def view(self, conn):
        return conn.get_connection(JOURNAL_DB).root()[ROOT_KEY]


def martin(portal):
    with portal.root() as root:
        return find_dossier(root, 'Martin').__name__


def report(portal, **query):
    """The report page and its rows, ``{login: row text}``."""
    page = logged_in(portal, 'dpo1').get('/unusual-access', params=query)
    rows = {}
    for row in page.html.select('tbody tr'):
        account = row.select('td')[1].get_text(' ', strip=True)
        login = account[account.index('(') + 1:account.index(')')]
        rows[login] = row.get_text(' ', strip=True)
    return page, rows


def journal_form(page, login, dossier=None):
    """The form of the report that opens ``login``'s journal of the day, or
    of ``dossier``."""
    for form in page.forms.values():
        if not form.action.endswith('/journal') or form['user'].value != login:
            continue
        if dossier is None and 'from' in form.fields:
            return form
        if dossier is not None and 'dossier' in form.fields and form['dossier'].value == dossier:
            return form
    raise AssertionError(f'no journal form for {login} {dossier}')


def test_a_day_of_many_lookups_is_listed_and_leads_to_its_journal(portal):
    searcher = logged_in(portal, 'worker3')
    for number in range(21):
        lookup(searcher, f'Inconnu{number}', 'Personne', '1980-01-01', reason='Vérification')
    colleague = logged_in(portal, 'worker1')
    for _ in range(3):
        lookup(colleague, 'Martin', 'Bernard', '1979-03-14')
    page, rows = report(portal)
    assert 'Accès inhabituels' in page.text
    assert list(rows) == ['worker3']  # three lookups make an ordinary day
    assert 'Recherches d’identité : 21 (plus de 20)' in rows['worker3']
    journal = journal_form(page, 'worker3').submit()
    looked_up = portal.fr(ACTION_LABELS['lookup'])
    assert len([row for row in journal.html.select('tbody tr') if looked_up in row.text]) == 21


def test_reads_outside_the_caseload_at_night_and_in_bursts(portal):
    dossier = martin(portal)
    # a qualified manager of the district opens a file that is not in a caseload of hers
    logged_in(portal, 'manager2').get(f'/dossiers/{dossier}/')
    # a secretary of the district reads it too: her role, not unusual
    logged_in(portal, 'secretary1').get(f'/dossiers/{dossier}/')
    # the référent, late in the evening (START is 10:00 in Paris)
    portal.clock.advance(hours=13)
    logged_in(portal, 'worker1').get(f'/dossiers/{dossier}/')
    page, rows = report(portal)
    assert set(rows) == {'manager2', 'worker1'}
    assert ('Consultations de dossiers hors de son portefeuille et de ses délégations : 1'
            in rows['manager2'])
    assert 'de nuit' not in rows['manager2']
    assert 'Consultations de nuit (de 22 h à 6 h) : 1' in rows['worker1']
    assert 'hors de son portefeuille' not in rows['worker1']
    # the dossier read outside the caseload opens its journal, by its short id
    assert dossier[:8] in rows['manager2']
    journal = journal_form(page, 'manager2', dossier).submit()
    rows_shown = journal.html.select('tbody tr')
    assert len(rows_shown) == 1 and 'Maud Responsable' in rows_shown[0].text

    # the next morning, thirty reads within a few minutes
    portal.clock.advance(hours=10)
    reader = logged_in(portal, 'worker1')
    for _ in range(30):
        reader.get(f'/dossiers/{dossier}/')
        portal.clock.advance(seconds=10)
    today = activity.local_day(portal.clock.now()).isoformat()
    _, rows = report(portal, **{'from': today, 'to': today})
    assert list(rows) == ['worker1']
    assert 'Consultations en 10 minutes : 30' in rows['worker1']


def test_a_burst_below_the_threshold_and_reads_spread_out_are_ordinary(portal):
    dossier = martin(portal)
    reader = logged_in(portal, 'worker1')
    for _ in range(29):
        reader.get(f'/dossiers/{dossier}/')
        portal.clock.advance(seconds=10)
    for _ in range(5):
        portal.clock.advance(minutes=11)
        logged_in(portal, 'worker1').get(f'/dossiers/{dossier}/')
    _, rows = report(portal)
    assert rows == {}


def test_the_period_asked_for_and_bad_dates(portal):
    searcher = logged_in(portal, 'worker3')
    for number in range(21):
        lookup(searcher, f'Inconnu{number}', 'Personne', '1980-01-01')
    day = portal.clock.now().date()
    portal.clock.advance(days=10)
    page, rows = report(portal)
    assert rows == {} and 'Aucun accès inhabituel sur cette période.' in page.text
    _, rows = report(portal, **{'from': (day - timedelta(days=1)).isoformat(),
                                'to': day.isoformat()})
    assert list(rows) == ['worker3']
    page, rows = report(portal, **{'from': f'{day.year}-02-30'})
    assert page.status_int == 200
    assert 'Une date n’a pas été comprise' in page.text
    page, _ = report(portal, **{'from': day.isoformat(),
                                'to': (day - timedelta(days=1)).isoformat()})
    assert 'La date de début est après la date de fin' in page.text
    page, _ = report(portal, **{'from': (day - timedelta(days=400)).isoformat()})
    assert 'Une page couvre au plus 92 jours' in page.text


def test_only_the_dpo_reads_the_report(portal):
    for login in ('worker1', 'secretary1', 'manager2', 'director1', 'cli1', 'admin1',
                  'beneficiary1'):
        browser = logged_in(portal, login)
        browser.get('/unusual-access', status=403)
        assert 'unusual-access' not in browser.get('/').text
    assert 'href="http://localhost/unusual-access"' in logged_in(portal, 'dpo1').get('/').text


def test_the_journal_filter_takes_the_short_ids_of_the_lists(portal):
    dossier = martin(portal)
    logged_in(portal, 'secretary1').get(f'/dossiers/{dossier}/')
    dpo = logged_in(portal, 'dpo1')

    def rows(text):
        form = [f for f in dpo.get('/journal').forms.values()
                if f.action.endswith('/journal')][0]
        form['dossier'] = text
        return form.submit().html.select('tbody tr')

    full = rows(dossier)
    assert full
    assert rows(dossier[:8]) == full
    assert rows(dossier[:8].upper()) == full
    assert rows(dossier[:3]) == []  # too short to stand for one dossier


def test_day_records_leave_with_the_journal_purge(portal):
    searcher = logged_in(portal, 'worker3')
    lookup(searcher, 'Inconnu', 'Personne', '1980-01-01')
    today = activity.local_day(portal.clock.now())
    with JournalRoot(portal) as journal:
        assert [uid for _, uid, record in activity.days(journal, today, today)
                if record.lookups == 1]
        assert activity.purge(journal, today) == 0
        assert activity.purge(journal, today + timedelta(days=1)) >= 1
        assert list(activity.days(journal, today, today)) == []
