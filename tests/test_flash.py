"""One-shot messages travel in a sealed cookie, never in the sessions database."""
import base64
import json

from portail.flash import COOKIE_NAME
from tests.conftest import find_dossier, logged_in


def delegation_url(portal, last_name='Durand'):
    with portal.root() as root:
        return f'/dossiers/{find_dossier(root, last_name).__name__}/delegation'


def worker2_uid(portal):
    with portal.root() as root:
        return root.users.find_login('worker2').uid


def delegation_form(page):
    return next(f for f in page.forms.values() if f.action.endswith('/delegation'))


def delegate(browser, portal, url):
    page = browser.get(url)
    form = delegation_form(page)
    form['delegate'] = worker2_uid(portal)
    form['until'] = (portal.clock.now().date()).isoformat()
    return form.submit(status=303)


def sessions_serial(portal):
    return portal.registry._zodb_databases['sessions'].lastTransaction()


def test_a_message_is_shown_once_on_the_next_page_and_writes_no_session(portal):
    worker1 = logged_in(portal, 'worker1')
    url = delegation_url(portal)
    worker1.get(url)
    before = sessions_serial(portal)
    answer = delegate(worker1, portal, url)
    assert COOKIE_NAME in worker1.cookies
    page = answer.follow()
    assert 'La délégation est enregistrée.' in page.text
    assert COOKIE_NAME not in worker1.cookies  # cleared by the page that showed it
    assert 'La délégation est enregistrée.' not in worker1.get(url).text
    # neither the POST nor the page that showed its message wrote the sessions database
    assert sessions_serial(portal) == before


def test_the_message_is_translated_by_the_page_that_shows_it(portal):
    worker1 = logged_in(portal, 'worker1')
    url = delegation_url(portal)
    answer = delegate(worker1, portal, url)
    worker1.set_cookie('portail_lang', 'en')
    page = answer.follow()
    assert 'The delegation is recorded.' in page.text


def forged(messages):
    payload = json.dumps(messages).encode('ascii')
    return base64.urlsafe_b64encode(payload).decode('ascii')


def test_a_forged_or_foreign_cookie_shows_nothing(portal):
    worker1 = logged_in(portal, 'worker1')
    url = delegation_url(portal)
    # a text of the attacker's choosing, without a seal or with a wrong one
    for value in (forged([['info', 'Appelez le 0899 000 000', {}]]),
                  forged([['info', 'Appelez le 0899 000 000', {}]]) + '.' + '0' * 64,
                  'not base64!.', '.', ''):
        worker1.set_cookie(COOKIE_NAME, value)
        page = worker1.get(url)
        assert '0899' not in page.text and page.status_int == 200
    # a message sealed for worker2's session is not shown in worker1's
    worker3 = logged_in(portal, 'worker3')
    worker3.get('/')
    worker2 = logged_in(portal, 'worker2')
    other = delegate(logged_in(portal, 'worker1'), portal, url)
    stolen = [c for c in other.headerlist if c[0] == 'Set-Cookie' and COOKIE_NAME in c[1]]
    assert stolen
    value = stolen[0][1].split(';')[0].split('=', 1)[1]
    worker2.set_cookie(COOKIE_NAME, value)
    assert 'La délégation est enregistrée.' not in worker2.get('/').text


def test_a_failed_form_sets_no_message(portal):
    worker1 = logged_in(portal, 'worker1')
    url = delegation_url(portal)
    page = worker1.get(url)
    form = delegation_form(page)
    form['delegate'] = worker2_uid(portal)
    form['until'] = ''
    answer = form.submit(status=400)
    assert 'date de fin' in answer.text and COOKIE_NAME not in worker1.cookies
