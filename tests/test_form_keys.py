"""One-time form keys: a form sent twice is applied once (issue 14, part 5)."""
from datetime import timedelta

from pyramid.interfaces import INewRequest
from ZODB.POSException import ConflictError

from portail.formkeys import ALREADY_DONE_MESSAGE
from tests.conftest import find_dossier, logged_in


def martin_url(portal):
    with portal.root() as root:
        return f'/dossiers/{find_dossier(root, "Martin").__name__}/'


def note_count(portal):
    with portal.root() as root:
        return len(find_dossier(root, 'Martin').notes)


def delegation_count(portal):
    with portal.root() as root:
        return len(find_dossier(root, 'Martin').delegations)


def uid_of(portal, login):
    with portal.root() as root:
        return root.users.find_login(login).uid


def note_form(browser, url, text):
    form = browser.get(url + 'add-note').forms['form']
    form['text'] = text
    return form


def delegation_form(browser, url):
    page = browser.get(url + 'delegation')
    return [f for f in page.forms.values() if f.action.endswith('/delegation')][0]


def assert_already_done(portal, response):
    assert response.status_int == 409
    assert portal.fr(ALREADY_DONE_MESSAGE) in response.text
    assert 'Cette action a déjà été enregistrée' in response.text


def test_a_form_sent_twice_is_applied_once(portal):
    url = martin_url(portal)
    worker = logged_in(portal, 'worker1')
    before = note_count(portal)
    form = note_form(worker, url, 'Rendez-vous pris avec la mission locale')
    assert form['form_key'].value
    assert form.submit().status_int == 303
    # a double click, or the back button then "send" again: the same form
    assert_already_done(portal, form.submit(status=409))
    assert note_count(portal) == before + 1
    # a new page draws a new key: the same text can be written again on purpose
    assert note_form(worker, url, 'Rendez-vous pris').submit().status_int == 303
    assert note_count(portal) == before + 2


def test_a_hand_written_form_sent_twice_is_applied_once(portal):
    url = martin_url(portal)
    referent = logged_in(portal, 'worker1')
    form = delegation_form(referent, url)
    form['delegate'] = uid_of(portal, 'worker2')
    form['until'] = (portal.clock.now().date() + timedelta(days=10)).isoformat()
    assert form.submit().status_int == 303
    assert delegation_count(portal) == 1
    page = referent.get(url + 'delegation')
    revoke = [f for f in page.forms.values() if f.action.endswith('/revoke-delegation')][0]
    assert revoke['form_key'].value
    assert revoke.submit().status_int == 303
    assert delegation_count(portal) == 0
    assert_already_done(portal, revoke.submit(status=409))
    # the back button to the delegation form, sent again: not delegated anew
    assert_already_done(portal, form.submit(status=409))
    assert delegation_count(portal) == 0


def test_a_refused_form_corrected_keeps_its_key_and_is_applied(portal):
    url = martin_url(portal)
    referent = logged_in(portal, 'worker1')
    form = delegation_form(referent, url)
    key = form['form_key'].value
    form['delegate'] = uid_of(portal, 'worker2')
    form['until'] = (portal.clock.now().date() - timedelta(days=1)).isoformat()
    form.submit(status=400)
    assert delegation_count(portal) == 0
    # corrected and sent again with the same key: the refusal did not use it
    assert form['form_key'].value == key
    form['until'] = (portal.clock.now().date() + timedelta(days=10)).isoformat()
    assert form.submit().status_int == 303
    assert delegation_count(portal) == 1
    assert_already_done(portal, form.submit(status=409))
    assert delegation_count(portal) == 1


def test_a_deform_form_shown_again_with_errors_keeps_its_key(portal):
    url = martin_url(portal)
    worker = logged_in(portal, 'worker1')
    before = note_count(portal)
    form = note_form(worker, url, '')
    key = form['form_key'].value
    page = form.submit(status=400)
    form = page.forms['form']
    assert form['form_key'].value == key
    form['text'] = 'Note complétée après erreur'
    assert form.submit().status_int == 303
    assert_already_done(portal, form.submit(status=409))
    assert note_count(portal) == before + 1


def test_a_retried_request_is_applied_once(portal):
    url = martin_url(portal)
    worker = logged_in(portal, 'worker1')
    before = note_count(portal)
    form = note_form(worker, url, 'Note écrite pendant un conflit')
    attempts = []

    def conflict_at_first_commit(event):
        if event.request.method != 'POST':
            return
        attempts.append(1)
        if len(attempts) == 1:
            event.request.tm.get().addBeforeCommitHook(raise_conflict)

    def raise_conflict():
        raise ConflictError()

    portal.registry.registerHandler(conflict_at_first_commit, (INewRequest,))
    try:
        assert form.submit().status_int == 303
    finally:
        portal.registry.unregisterHandler(conflict_at_first_commit, (INewRequest,))
    assert len(attempts) == 2  # the first attempt applied the note, then aborted
    assert note_count(portal) == before + 1
    assert_already_done(portal, form.submit(status=409))
    assert note_count(portal) == before + 1


def test_a_post_without_key_is_handled_as_before(portal):
    url = martin_url(portal)
    worker = logged_in(portal, 'worker1')
    before = note_count(portal)
    for _ in range(2):
        worker.post_csrf(url + 'add-note', {'text': 'Sans clé', 'third_party': 'false',
                                            'submit': 'submit'}, status=303)
    assert note_count(portal) == before + 2


def post_forms(page):
    return [f for f in page.forms.values() if (f.method or '').lower() == 'post']


def test_every_form_of_every_page_carries_a_form_key(portal):
    url = martin_url(portal)
    pages = {
        None: ['/login'],
        'worker1': ['/', url, url + 'delegation', url + 'add-note', url + 'reassign',
                    '/notice'],
        'admin1': ['/'],
        'secretary1': ['/'],
        'beneficiary1': ['/'],
        'cli1': ['/'],
        'dpo1': ['/'],
    }
    seen = 0
    for login, urls in pages.items():
        browser = portal.browser() if login is None else logged_in(portal, login)
        for page_url in urls:
            page = browser.get(page_url, status='*')
            if page.status_int != 200:
                continue
            for form in post_forms(page):
                fields = form.fields
                assert 'csrf_token' in fields, (login, page_url, form.action)
                if form.action.endswith('/language'):
                    # the language switch changes no data: the back button may
                    # send it again
                    assert 'form_key' not in fields
                    continue
                assert 'form_key' in fields, (login, page_url, form.action)
                assert form['form_key'].value, (login, page_url, form.action)
                seen += 1
    assert seen >= 10


def test_used_keys_expire_after_two_days_and_the_sentinel_stays(portal):
    from BTrees.OOBTree import OOBTree

    from portail.formkeys import SENTINEL, record

    tree = OOBTree({SENTINEL: 0.0})
    now = portal.clock.now()
    record(tree, 'k2', now)
    record(tree, 'k3', now + timedelta(days=1))
    record(tree, 'k1', now + timedelta(days=2, minutes=1))
    assert list(tree) == [SENTINEL, 'k1', 'k3']  # k2, older than two days, forgotten


def test_a_search_or_a_filter_may_be_sent_again(portal):
    """A POST that only reads (the "already known?" search, the DPO's journal
    filter, the lookup's button to a pre-filled form) is not a one-time action:
    the back button or a reload sends it again and gets the same page."""
    worker = logged_in(portal, 'worker1')
    search = worker.get('/dossiers/lookup').forms['form']
    search['last_name'] = 'Martin'
    search['first_names'] = 'Bernard'
    search['birth_date'] = '1979-03-14'
    search['reason'] = 'Appel de la personne à l’accueil'
    first = search.submit()
    again = search.submit()
    assert again.status_int == 200
    assert portal.fr(ALREADY_DONE_MESSAGE) not in again.text
    assert again.html.select('tbody tr') == first.html.select('tbody tr')
    create = [f for f in again.forms.values() if f.action.endswith('/add')][0]
    assert 'form_key' not in create.fields
    for _ in range(2):
        prefilled = create.submit()
        assert prefilled.status_int == 200
        assert prefilled.forms['form']['last_name'].value == 'Martin'
        assert prefilled.forms['form']['form_key'].value
    dpo = logged_in(portal, 'dpo1')
    page = dpo.get('/journal')
    journal_filter = [f for f in page.forms.values() if f.action.endswith('/journal')][0]
    journal_filter['user'] = 'worker1'
    rows = journal_filter.submit().html.select('tbody tr')
    assert rows
    assert journal_filter.submit().html.select('tbody tr') == rows
