"""Delegation and absence, reassignment, working notes and their grants
(docs/domain.md, *Confidentiality levels*)."""
from datetime import timedelta

from tests.conftest import find_dossier, logged_in


def martin_url(portal):
    with portal.root() as root:
        return f'/dossiers/{find_dossier(root, "Martin").__name__}/'


def delegate(browser, url, uid, until, notes=False, status=None):
    page = browser.get(url + 'delegation')
    form = [f for f in page.forms.values() if f.action.endswith('/delegation')][0]
    form['delegate'] = uid
    form['until'] = until.isoformat()
    if notes:
        form['notes'] = 'yes'
    return form.submit(status=status)


def uid_of(portal, login):
    with portal.root() as root:
        return root.users.find_login(login).uid


def write_note(browser, url, text, third_party=False):
    form = browser.get(url + 'add-note').forms['form']
    form['text'] = text
    form['third_party'] = third_party
    return form.submit().follow()


def test_delegation_ends_by_itself_at_its_end_date(portal):
    url = martin_url(portal)
    referent = logged_in(portal, 'worker1')
    write_note(referent, url, 'Note du référent pour la délégation')
    today = portal.clock.now().date()
    delegate(referent, url, uid_of(portal, 'worker2'), today + timedelta(days=2), notes=True)
    worker2 = logged_in(portal, 'worker2')
    page = worker2.get(url)
    assert 'rue des Lilas' in page.text
    assert today.strftime('%d/%m') in page.text or (today + timedelta(days=2)).strftime(
        '%d/%m/%Y') in page.text  # the "why can I see this?" line names the end date
    assert 'MARTIN Bernard' in worker2.get('/').text  # in the delegate's caseload
    note_link = page.html.find(id='notes-title').find_parent('section').find('a', href=True,
                                                                              string=None)
    assert note_link is not None
    portal.clock.advance(days=2)
    worker2 = logged_in(portal, 'worker2')  # a new day, a new session
    assert worker2.get(url).status_int == 200  # the end date is included
    portal.clock.advance(days=1)
    worker2 = logged_in(portal, 'worker2')
    assert worker2.get(url, status=403).status_int == 403
    assert 'MARTIN' not in worker2.get('/').text


def test_delegation_without_notes_and_revocation(portal):
    url = martin_url(portal)
    referent = logged_in(portal, 'worker1')
    write_note(referent, url, 'Observation réservée')
    delegate(referent, url, uid_of(portal, 'worker2'),
             portal.clock.now().date() + timedelta(days=10))
    worker2 = logged_in(portal, 'worker2')
    page = worker2.get(url)
    assert 'rue des Lilas' in page.text
    with portal.root() as root:
        note = next(iter(find_dossier(root, 'Martin').notes))
    assert worker2.get(f'{url}notes/{note}/', status=403)
    page = referent.get(url + 'delegation')
    [f for f in page.forms.values() if f.action.endswith('/revoke-delegation')][0].submit()
    assert worker2.get(url, status=403)


def test_delegation_refuses_bad_input(portal):
    url = martin_url(portal)
    referent = logged_in(portal, 'worker1')
    page = delegate(referent, url, uid_of(portal, 'worker2'),
                    portal.clock.now().date() - timedelta(days=1), status=400)
    assert 'role="alert"' in page.text
    page = referent.post(url + 'delegation', {'csrf_token': referent.csrf(),
                                              'delegate': uid_of(portal, 'worker3'),
                                              'until': '2030-01-01'}, status=400)
    assert 'role="alert"' in page.text  # a worker of another district
    with portal.root() as root:
        assert len(find_dossier(root, 'Martin').delegations) == 0


def test_qualified_manager_delegates_unqualified_cannot(portal):
    url = martin_url(portal)
    assert logged_in(portal, 'manager1').get(url + 'delegation', status=403)
    manager = logged_in(portal, 'manager2')
    delegate(manager, url, uid_of(portal, 'worker2'),
             portal.clock.now().date() + timedelta(days=3)).follow()
    assert logged_in(portal, 'worker2').get(url).status_int == 200


def test_reassignment_leaves_the_former_referent_nothing(portal):
    url = martin_url(portal)
    referent = logged_in(portal, 'worker1')
    note_page = write_note(referent, url, 'Note écrite avant la réaffectation')
    note_url = note_page.request.path
    manager = logged_in(portal, 'manager2')
    form = manager.get(url + 'reassign').forms['form']
    form['referent'] = uid_of(portal, 'worker2')
    form.submit()
    assert referent.get(url, status=403)
    assert referent.get(note_url, status=403)
    assert logged_in(portal, 'worker2').get(url).status_int == 200


def test_notes_third_party_and_who_never_reads_them(portal):
    url = martin_url(portal)
    referent = logged_in(portal, 'worker1')
    plain = write_note(referent, url, 'Démarches logement engagées').request.path
    third = write_note(referent, url, 'Propos de la sœur du bénéficiaire',
                       third_party=True).request.path
    beneficiary = logged_in(portal, 'beneficiary1')
    assert 'Démarches logement engagées' in beneficiary.get(plain).text
    assert beneficiary.get(third, status=403)
    page = beneficiary.get(url)
    assert 'sœur' not in page.text and third not in page.text
    assert 'Wanda Travailleuse' in page.html.find(id='notes-title').find_parent('section').text
    for login in ('secretary1', 'manager2', 'cli1', 'admin1', 'dpo1', 'worker2'):
        browser = logged_in(portal, login)
        assert browser.get(plain, status=403) and browser.get(third, status=403)
    # a secretary and a qualified manager see the dossier, never the notes
    for login in ('secretary1', 'manager2'):
        page = logged_in(portal, login).get(url)
        assert 'Démarches logement' not in page.text and plain not in page.text


def test_note_grant_with_end_date_and_revocation(portal):
    url = martin_url(portal)
    referent = logged_in(portal, 'worker1')
    note = write_note(referent, url, 'Note à partager avec William')
    form = [f for f in note.forms.values() if f.action.endswith('/grant')][0]
    form['colleague'] = uid_of(portal, 'worker2')
    form['until'] = (portal.clock.now().date() + timedelta(days=1)).isoformat()
    form.submit()
    worker2 = logged_in(portal, 'worker2')
    note_url = note.request.path
    assert 'Note à partager avec William' in worker2.get(note_url).text
    assert worker2.get(url, status=403)  # the note only, not the dossier
    portal.clock.advance(days=2)
    worker2 = logged_in(portal, 'worker2')
    assert worker2.get(note_url, status=403)
    referent = logged_in(portal, 'worker1')
    page = referent.get(note_url)
    [f for f in page.forms.values() if f.action.endswith('/revoke')][0].submit()
    with portal.root() as root:
        assert len(next(iter(find_dossier(root, 'Martin').notes.values())).grants) == 0
    # a forged grant to someone outside the district is refused
    page = referent.post(note_url + 'grant', {'csrf_token': referent.csrf(),
                                              'colleague': uid_of(portal, 'worker3')})
    with portal.root() as root:
        assert len(next(iter(find_dossier(root, 'Martin').notes.values())).grants) == 0


def test_the_why_line(portal):
    url = martin_url(portal)
    texts = {login: logged_in(portal, login).get(url).html.find(class_='why').text
             for login in ('worker1', 'secretary1', 'manager2', 'beneficiary1')}
    assert len(set(texts.values())) == 4  # four different relations, four answers


def make_secretary(portal, login):
    """The administrator changes ``login``'s roles to secretary (same district)."""
    from tests.conftest import tick

    admin = logged_in(portal, 'admin1')
    form = admin.get(f'/users/{uid_of(portal, login)}/').forms['form']
    tick(form, ['secretary'])
    assert 'enregistré' in form.submit().follow().text


def test_a_delegate_made_secretary_reads_no_note_any_more(portal):
    """Issue 13: worker2, delegate with notes, writes a note; an administrator
    makes worker2 a secretary; secretaries never read working notes, so the
    note (and the référent's) are refused, though the delegation still runs."""
    url = martin_url(portal)
    referent = logged_in(portal, 'worker1')
    referent_note = write_note(referent, url, 'Note du référent avant délégation').request.path
    delegate(referent, url, uid_of(portal, 'worker2'),
             portal.clock.now().date() + timedelta(days=10), notes=True)
    worker2 = logged_in(portal, 'worker2')
    own_note = write_note(worker2, url, 'Note écrite par le délégué').request.path
    assert 'Note écrite par le délégué' in worker2.get(own_note).text
    assert 'Note du référent avant délégation' in worker2.get(referent_note).text
    make_secretary(portal, 'worker2')
    worker2 = logged_in(portal, 'worker2')
    assert worker2.get(own_note, status=403).status_int == 403
    assert worker2.get(referent_note, status=403).status_int == 403
    assert worker2.get(url + 'add-note', status=403).status_int == 403
    # a secretary of the district: the administrative data, never the notes
    page = worker2.get(url)
    assert 'rue des Lilas' in page.text
    assert own_note not in page.text and 'Note écrite par le délégué' not in page.text
    # the note's author is worker2 again once a social worker again
    admin = logged_in(portal, 'admin1')
    from tests.conftest import tick

    form = admin.get(f'/users/{uid_of(portal, "worker2")}/').forms['form']
    tick(form, ['worker'])
    form.submit()
    assert 'Note écrite par le délégué' in logged_in(portal, 'worker2').get(own_note).text


def test_a_referent_made_secretary_reads_no_note_any_more(portal):
    """The same rule for the référent: working for the person needs the
    ``worker`` role, so a référent made secretary keeps no note."""
    url = martin_url(portal)
    referent = logged_in(portal, 'worker1')
    note = write_note(referent, url, 'Observation du référent').request.path
    make_secretary(portal, 'worker1')
    worker1 = logged_in(portal, 'worker1')
    assert worker1.get(note, status=403).status_int == 403
    assert worker1.get(url + 'add-note', status=403).status_int == 403
    assert worker1.get(url + 'delegation', status=403).status_int == 403
    page = worker1.get(url)  # as a secretary of the district
    assert note not in page.text and 'Observation du référent' not in page.text
    assert 'secrétaire' in page.html.find(class_='why').text


def test_a_colleague_granted_a_note_then_made_secretary_reads_it_no_more(portal):
    url = martin_url(portal)
    referent = logged_in(portal, 'worker1')
    note = write_note(referent, url, 'Note partagée puis fermée')
    form = [f for f in note.forms.values() if f.action.endswith('/grant')][0]
    form['colleague'] = uid_of(portal, 'worker2')
    form.submit()
    assert 'Note partagée puis fermée' in logged_in(portal, 'worker2').get(
        note.request.path).text
    make_secretary(portal, 'worker2')
    assert logged_in(portal, 'worker2').get(note.request.path, status=403)
