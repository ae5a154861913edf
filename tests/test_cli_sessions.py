"""Commission sessions of the CLI (issue 16): a facilitator creates a session,
puts shared summaries on its agenda, gives several opinions on one page and
prints the minutes; the worklist filters the summaries without an opinion.
Nobody but the district's facilitators reaches any of it."""
from datetime import timedelta

from tests.conftest import find_dossier, logged_in
from tests.test_contracts import consent_online, form_posting_to
from tests.test_journal import entries
from tests.test_paging import add_cli2


def district_of(portal):
    with portal.root() as root:
        return find_dossier(root, 'Martin').district


def summaries(portal, district):
    """``{name: (pseudonym, dossier id)}`` of the district's summaries."""
    with portal.root() as root:
        return {name: (s.pseudonym, s.contract_ref[0]) for name, s in root.cli[district].items()}


def new_session(cli, district, days=7, portal=None):
    page = cli.get(f'/cli/{district}/sessions/')
    form = form_posting_to(page, '/sessions/')
    day = (portal.clock.now() + timedelta(days=days)).date()
    form['date'] = day.isoformat()
    response = form.submit()
    assert response.status_int == 303
    return response.location.replace('http://localhost', ''), day


def assign_all(cli, session):
    page = cli.get(session)
    form = form_posting_to(page, '/assign')
    for field in form.fields['summary']:
        field.checked = True
    return form.submit()


def test_a_session_with_its_agenda_opinions_and_minutes(portal):
    district = district_of(portal)
    shared = summaries(portal, district)
    assert len(shared) == 2  # the demo's two shares
    cli = logged_in(portal, 'cli1')
    session, day = new_session(cli, district, portal=portal)
    page = cli.get(session)
    assert day.strftime('%d/%m/%Y') in page.text
    assert "Aucune synthèse à l'ordre du jour" in page.text
    agenda = assign_all(cli, session).follow()
    for pseudonym, _dossier in shared.values():
        assert pseudonym in agenda.html.find('table').text
    # on an agenda: no longer offered for another session
    other, _day = new_session(cli, district, days=14, portal=portal)
    assert 'summary' not in str(cli.get(other).forms)
    listing = cli.get(f'/cli/{district}/sessions/')
    assert day.strftime('%d/%m/%Y') in listing.text

    # several opinions on one page: one given, the other left for later
    names = sorted(shared)
    page = cli.get(session + 'opinions')
    form = form_posting_to(page, '/opinions')
    form[f'opinion-{names[0]}'] = 'favourable'
    form[f'comment-{names[0]}'] = 'Parcours cohérent'
    done = form.submit()
    assert done.status_int == 303
    with portal.root() as root:
        folder = root.cli[district]
        first, second = folder[names[0]], folder[names[1]]
        assert first.opinion['opinion'] == 'favourable'
        assert second.opinion is None
        contract = root.dossiers.contract(first.contract_ref)
        assert contract.cli_opinion['comment'] == 'Parcours cohérent'
        assert contract.history[-1].transition == 'cli_opinion'
    # the journal of the person holds the opinion, as from the summary's page
    actions = [e.action for e in entries(portal, shared[names[0]][1])]
    assert 'opinion' in actions

    minutes = cli.get(session + 'minutes')
    assert 'Procès-verbal de la séance du' in minutes.text
    assert 'Parcours cohérent' in minutes.text and 'favorable' in minutes.text
    for pseudonym, _dossier in shared.values():
        assert pseudonym in minutes.text


def test_the_worklist_filters_the_summaries_without_opinion(portal):
    district = district_of(portal)
    shared = summaries(portal, district)
    cli = logged_in(portal, 'cli1')
    page = cli.get(f'/cli/{district}/')
    assert len(page.html.select('tbody tr')) == 2
    assert 'Thèmes' in page.html.find('thead').text
    first = page.html.select('tbody a')[0]['href']
    opinion = form_posting_to(cli.get(first), '/opinion')
    opinion['opinion'] = 'adjourned'
    opinion.submit().follow()
    filtered = cli.get(f'/cli/{district}/?filter=without-opinion')
    rows = filtered.html.select('tbody tr')
    assert len(rows) == 1 and first not in filtered.text
    assert len(shared) == 2
    # an unknown filter is no filter
    assert len(cli.get(f'/cli/{district}/?filter=nonsense').html.select('tbody tr')) == 2


def test_the_referents_name_is_not_shown(portal):
    """Level 1 (the référent's name) is not for the CLI (docs/domain.md,
    *Confidentiality levels*)."""
    district = district_of(portal)
    cli = logged_in(portal, 'cli1')
    with portal.root() as root:
        referent = root.users[find_dossier(root, 'Martin').referent].fullname
    session, _day = new_session(cli, district, portal=portal)
    assign_all(cli, session)
    for url in (f'/cli/{district}/', session, session + 'opinions', session + 'minutes'):
        assert referent not in cli.get(url).text, url


def test_a_withdrawn_summary_leaves_the_agenda(portal):
    district = district_of(portal)
    cli = logged_in(portal, 'cli1')
    session, _day = new_session(cli, district, portal=portal)
    assign_all(cli, session)
    with portal.root() as root:
        folder = root.cli[district]
        summary = next(s for s in folder.values()
                       if root.dossiers[s.contract_ref[0]].beneficiary
                       == root.users.find_login('beneficiary1').uid)
        pseudonym = summary.pseudonym
        dossier_id, contract_id = summary.contract_ref
    beneficiary = logged_in(portal, 'beneficiary1')
    consent_online(beneficiary, f'/dossiers/{dossier_id}/contracts/{contract_id}/',
                   'share_cli', 'withdrawn')
    for url in (session, session + 'opinions', session + 'minutes'):
        assert pseudonym not in cli.get(url).text
    assert '1' in cli.get(f'/cli/{district}/sessions/').html.find('tbody').text


def test_taking_a_summary_off_the_agenda(portal):
    district = district_of(portal)
    cli = logged_in(portal, 'cli1')
    session, _day = new_session(cli, district, portal=portal)
    agenda = assign_all(cli, session).follow()
    form = form_posting_to(agenda, '/unassign')
    name = form['summary'].value
    form.submit().follow()
    page = cli.get(session)
    offered = [i['value'] for i in page.html.select('input[name=summary][type=checkbox]')]
    assert offered == [name]
    assert name not in str(page.html.find('table'))


def test_bad_inputs_get_a_french_message(portal):
    district = district_of(portal)
    cli = logged_in(portal, 'cli1')
    url = f'/cli/{district}/sessions/'
    token = cli.csrf()
    for value in ('', 'demain', '2026-02-30', '1990-01-01', '\x00'):
        page = cli.post(url, {'csrf_token': token, 'date': value}, status=400)
        assert page.html.find(role='alert').text.strip()
    session, _day = new_session(cli, district, portal=portal)
    for params in ({}, {'summary': 'nope'}, {'summary': ['a', 'a']}):
        page = cli.post(session + 'assign', dict(params, csrf_token=token), status=400)
        assert page.html.find(role='alert').text.strip()
    assert cli.post(session + 'unassign', {'csrf_token': token, 'summary': 'x'},
                    status=400).html.find(role='alert')
    assign_all(cli, session)
    names = sorted(summaries(portal, district))
    # nothing given; an unknown opinion; a comment without an opinion; a control character
    for params in ({}, {f'opinion-{names[0]}': 'great'},
                   {f'comment-{names[0]}': 'sans avis'},
                   {f'opinion-{names[0]}': 'favourable', f'comment-{names[0]}': 'a\x07b',
                    f'opinion-{names[1]}': 'reserved'}):
        page = cli.post(session + 'opinions', dict(params, csrf_token=token), status=400)
        assert page.html.find(role='alert').text.strip()
    with portal.root() as root:  # one wrong line: nothing recorded
        assert all(s.opinion is None for s in root.cli[district].values())
    cli.get(url + 'nosuchsession/', status=404)


def test_nobody_else_reaches_the_sessions(portal):
    district = district_of(portal)
    cli = logged_in(portal, 'cli1')
    session, _day = new_session(cli, district, portal=portal)
    assign_all(cli, session)
    add_cli2(portal)
    pseudonyms = [p for p, _d in summaries(portal, district).values()]
    urls = [f'/cli/{district}/sessions/', session, session + 'opinions', session + 'minutes']
    posts = [f'/cli/{district}/sessions/', session + 'assign', session + 'unassign',
             session + 'opinions']
    for login in ('cli2', 'worker1', 'dpo1', 'secretary1', 'manager1', 'admin1'):
        other = logged_in(portal, login)
        token = other.csrf()
        for url in urls:
            page = other.get(url, status=403)
            assert all(p not in page.text for p in pseudonyms), (login, url)
        for url in posts:
            other.post(url, {'csrf_token': token, 'date': '2026-12-01'}, status=403)
    anonymous = portal.browser()
    assert anonymous.get(session, status=302).location.endswith('/login')
    with portal.root() as root:
        assert len(root.cli[district].sessions) == 1


def test_a_session_page_journals_a_read_of_each_summary(portal):
    district = district_of(portal)
    shared = summaries(portal, district)
    cli = logged_in(portal, 'cli1')
    session, _day = new_session(cli, district, portal=portal)
    assign_all(cli, session)
    with portal.root() as root:
        uid = root.users.find_login('cli1').uid
    for name, (_pseudonym, dossier) in shared.items():
        before = len([e for e in entries(portal, dossier) if e.action == 'read'])
        cli.get(session + 'minutes')
        reads = [e for e in entries(portal, dossier) if e.action == 'read']
        assert len(reads) == before + 1
        assert reads[-1].object == f'cli-summary:{name}' and reads[-1].user == uid


def test_the_filtered_worklist_pages_through_its_own_index(portal):
    """"Sans avis" lists a page of the summaries without an opinion, newest
    first, and its pager keeps the filter; an opinion takes a summary out."""
    from portail.paging import PAGE_SIZE
    from tests.test_paging import add_contracts

    made = [p for _n, _u, p in add_contracts(portal, 'shared', PAGE_SIZE + 5, 'Sans')]
    district = district_of(portal)
    with portal.root() as root:
        folder = root.cli[district]
        newest = next(s for s in folder.values() if s.pseudonym == made[-1])
        folder.record_opinion(newest, {'opinion': 'favourable', 'comment': '', 'at': ''})
    cli = logged_in(portal, 'cli1')
    page = cli.get(f'/cli/{district}/?filter=without-opinion')
    rows = [a.text for a in page.html.select('tbody a')]
    assert rows == made[::-1][1:PAGE_SIZE + 1]
    caption = ' '.join(page.html.select_one('caption').text.split())
    assert f'Synthèses sans avis de la CLI : {PAGE_SIZE + 6}' in caption  # + the demo's two
    nxt = page.html.select_one('nav.pager a[rel=next]')['href']
    assert 'filter=without-opinion' in nxt and 'page=2' in nxt
    rest = [a.text for a in cli.get(nxt).html.select('tbody a')]
    assert rest[:4] == made[::-1][PAGE_SIZE + 1:] and len(rest) == 6


def test_the_minutes_name_the_person_only_if_the_referent_shared_the_name(portal):
    from tests.test_contracts import record_on_paper, run_transition

    worker = logged_in(portal, 'worker1')
    with portal.root() as root:
        leroy = find_dossier(root, 'Leroy')
        contract = next(iter(leroy.contracts.values()))
        url = f'/dossiers/{leroy.__name__}/contracts/{contract.__name__}/'
    record_on_paper(worker, url, 'share_cli', 'given', 'in_person')
    run_transition(worker, url, 'share', fields=['identity', 'duration_months']).follow()
    district = district_of(portal)
    cli = logged_in(portal, 'cli1')
    session, _day = new_session(cli, district, portal=portal)
    assign_all(cli, session)
    minutes = cli.get(session + 'minutes')
    assert len(minutes.html.select('.printable section')) == 3
    assert 'LEROY Nadia' in minutes.text  # shared by the référent
    for absent in ('MARTIN', 'Bernard', 'rue Nationale', 'rue des Lilas'):
        assert absent not in minutes.text
