"""The main menu kept per deciding principals (issue 20; portail/menu.py):
what each account sees is what the uncached computation gives, in each
language, and every change of privileges shows on the very next request."""
import pytest
from pyramid.interfaces import ISecurityPolicy

from portail import menu
from portail.acl.matrix import ComputedACL
from portail.boundedcache import BoundedCache
from portail.demo import ACCOUNTS
from portail.i18n import _
from portail.views.layout import navigation
from tests.conftest import RequestAs, find_dossier, logged_in, tick, uid_of
from tests.test_requests import make_request

LOGINS = [login for login, *_rest in ACCOUNTS]

HOME = ('/', _('Home'))
ACCOUNTS_ = ('/users/', _('Accounts'))
JOURNALS = ('/journal', _('Access journals'))
UNUSUAL = ('/unusual-access', _('Unusual access'))
ADMIN_JOURNAL = ('/administration-journal', _('Administration journal'))
REQUESTS = ('/requests', _('Rights requests'))
ACCEPTANCES = ('/charter/acceptances', _('Charter acceptances'))
STATISTICS = ('/statistics/', _('Statistics'))
#: every section of the menu but the home page and the pending work
SECTIONS = (ACCOUNTS_, JOURNALS, UNUSUAL, ADMIN_JOURNAL, REQUESTS, ACCEPTANCES, STATISTICS)
TODO = 'To do'

#: login -> (has a "To do", the sections after it), as the access matrix grants them
EXPECTED = {
    'admin1': (False, [ACCOUNTS_]),
    'dpo1': (False, [JOURNALS, UNUSUAL, ADMIN_JOURNAL, REQUESTS, ACCEPTANCES, STATISTICS]),
    'worker1': (True, []),
    'worker2': (True, []),
    'worker3': (True, []),
    'secretary1': (False, []),
    'secretary2': (False, []),
    'cli1': (False, [STATISTICS]),
    'manager1': (False, [STATISTICS]),
    'manager2': (True, [STATISTICS]),
    'director1': (False, [STATISTICS]),
    'beneficiary1': (False, []),
    'beneficiary2': (False, []),
}


@pytest.fixture(autouse=True)
def empty_cache():
    menu.KEPT.clear()
    yield
    menu.KEPT.clear()


def shown_menu(page):
    """``[(path, text)]`` of the main menu of ``page`` (``[]``: no menu)."""
    nav = page.html.select_one('header.site nav')
    if nav is None:
        return []
    return [(a['href'].removeprefix('http://localhost'), a.get_text(strip=True))
            for a in nav.find_all('a')]


def expected_menu(portal, login, lang='fr'):
    """What ``login``'s menu says in ``lang``, the count of their pending work
    left as the prefix ``To do`` (it is checked live apart)."""
    todo, sections = EXPECTED[login]
    text = portal.fr if lang == 'fr' else str
    items = [('/', text(_('Home')))]
    if todo:
        items.append(('/#pending', text(_(TODO)).split(' (')[0]))
    return items + [(path, text(label)) for path, label in sections]


def without_count(items):
    return [(path, text.split(' (')[0]) if path == '/#pending' else (path, text)
            for path, text in items]


def set_language(browser, lang):
    page = browser.get('/notice')
    page.forms['language'].submit('lang', value=lang)


@pytest.mark.parametrize('key', ['static', 'each'])
@pytest.mark.parametrize('lang', ['fr', 'en'])
def test_every_account_sees_its_sections_cached_or_not(portal, monkeypatch, lang, key):
    """For every demo account and language, the page shows the same menu
    with the cache cold, warm, and disabled, and it is the matrix's; with
    the usual key and with the general one."""
    if key == 'each':
        monkeypatch.setattr(menu, 'static_key', lambda *args: None)
    for login in LOGINS:
        browser = logged_in(portal, login)
        set_language(browser, lang)
        menu.KEPT.clear()
        cold = shown_menu(browser.get('/notice'))
        warm = shown_menu(browser.get('/notice'))
        with monkeypatch.context() as m:
            m.setattr(menu, 'KEPT', BoundedCache(0))
            uncached = shown_menu(browser.get('/notice'))
        assert cold == warm == uncached, login
        assert without_count(warm) == expected_menu(portal, login, lang), login


def test_the_kept_sections_are_those_the_policy_answers(portal):
    """At the level of the policy: :func:`portail.menu.sections` (kept)
    equals :func:`portail.menu.compute_sections` for every account."""
    for login in LOGINS:
        browser = logged_in(portal, login)
        browser.get('/notice')  # fills the cache
        with RequestAs(portal, browser) as request:
            home = request.resource_url(request.root)
            kept = menu.sections(request, home)
            fresh = menu.compute_sections(request, menu.folders_of(request.root))
            assert kept == fresh, login
            for permission, name, _view, label in menu.SECTIONS:
                folder = menu.folders_of(request.root)[name]
                allowed = bool(request.has_permission(permission, folder))
                assert allowed == (label in [text for _url, text in kept]), (login, label)


def test_accounts_of_the_same_roles_share_one_entry(portal):
    """The key holds the principals the ACLs name, not the account's own."""
    for login in ('worker1', 'worker2'):
        logged_in(portal, login).get('/notice')
    assert len(menu.KEPT) == 1
    logged_in(portal, 'worker3').get('/notice')  # another district: same sections
    assert len(menu.KEPT) == 1
    logged_in(portal, 'dpo1').get('/notice')
    assert len(menu.KEPT) == 2


def todo_count(page):
    texts = [text for path, text in shown_menu(page) if path == '/#pending']
    return int(texts[0].split('(')[1].rstrip(')')) if texts else None


def test_the_pending_count_is_live(portal):
    """The count is not kept: a new rights request shows on the referent's
    next page, with the sections still kept."""
    worker = logged_in(portal, 'worker1')
    before = todo_count(worker.get('/notice'))
    with portal.root() as root:
        url = f'/dossiers/{find_dossier(root, "Martin").__name__}/'
    make_request(logged_in(portal, 'beneficiary1'), url, 'rectification', 'Mon adresse a changé')
    assert todo_count(worker.get('/notice')) == before + 1


def test_a_denied_section_never_appears_and_a_shown_one_opens(portal):
    for login in LOGINS:
        browser = logged_in(portal, login)
        shown = {path for path, _text in shown_menu(browser.get('/notice'))}
        for path, _label in SECTIONS:
            response = browser.get(path, status='*')
            if path in shown:
                if response.status_int == 302:  # a district's statistics
                    assert response.location.startswith(f'http://localhost{path}'), login
                    response = response.follow()
                assert response.status_int == 200, (login, path)
            else:
                assert response.status_int == 403, (login, path, response.status)


def test_a_role_change_shows_at_the_next_request(portal):
    cli = logged_in(portal, 'cli1')
    assert STATISTICS[0] in dict(shown_menu(cli.get('/notice')))
    admin = logged_in(portal, 'admin1')
    form = admin.get(f'/users/{uid_of(portal, "cli1")}/').forms['form']
    tick(form, ['secretary'])
    form.submit().follow()
    assert without_count(shown_menu(cli.get('/notice'))) == expected_menu(portal, 'secretary1')
    cli.get('/statistics/', status=403)
    # and back: the same key as before, the same menu as before
    form = admin.get(f'/users/{uid_of(portal, "cli1")}/').forms['form']
    tick(form, ['cli'])
    form.submit().follow()
    assert without_count(shown_menu(cli.get('/notice'))) == expected_menu(portal, 'cli1')


def test_a_disabled_account_has_no_menu_at_the_next_request(portal):
    dpo = logged_in(portal, 'dpo1')
    assert shown_menu(dpo.get('/notice'))
    admin = logged_in(portal, 'admin1')
    admin.get(f'/users/{uid_of(portal, "dpo1")}/disable').forms['confirm'].submit()
    page = dpo.get('/notice')
    assert shown_menu(page) == []
    assert 'Denis Délégué' not in page.text
    dpo.get('/journal', status=302)


def test_a_new_charter_version_hides_the_menu_until_accepted(portal):
    worker = logged_in(portal, 'worker1')
    assert shown_menu(worker.get('/notice'))
    with portal.root() as root:
        root.charter.publish('Version 2 de la charte.', None, portal.clock.now())
    assert shown_menu(worker.get('/notice')) == []
    worker.accept_charter()
    assert without_count(shown_menu(worker.get('/notice'))) == expected_menu(portal, 'worker1')


def test_without_a_charter_its_acceptances_leave_the_menu(portal):
    """A database without ``/charter`` (not evolved yet): its section goes,
    the others stay, at the next request."""
    dpo = logged_in(portal, 'dpo1')
    assert ACCEPTANCES[0] in dict(shown_menu(dpo.get('/notice')))
    with portal.root() as root:
        charter = root.charter
        del root.charter
    shown = dict(shown_menu(dpo.get('/notice')))
    assert ACCEPTANCES[0] not in shown and JOURNALS[0] in shown
    with portal.root() as root:
        root.charter = charter
    assert ACCEPTANCES[0] in dict(shown_menu(dpo.get('/notice')))


def test_the_second_factor_opens_the_menu(portal):
    browser = portal.browser()
    page = browser.login('dpo1', code=False)
    assert page.request.path == '/login-code'
    assert shown_menu(page) == []
    assert shown_menu(browser.get('/notice')) == []
    form = page.forms[[i for i, f in page.forms.items() if f.action.endswith('/login-code')][0]]
    form['code'] = browser.second_factor_code('dpo1')
    form.submit().follow()
    assert without_count(shown_menu(browser.get('/notice'))) == expected_menu(portal, 'dpo1')


def test_logout_then_another_account_on_the_same_browser(portal):
    browser = logged_in(portal, 'dpo1')
    assert without_count(shown_menu(browser.get('/notice'))) == expected_menu(portal, 'dpo1')
    page = browser.get('/notice')
    page.forms['logout'].submit()
    assert shown_menu(browser.get('/notice')) == []
    browser.login('cli1')
    assert without_count(shown_menu(browser.get('/notice'))) == expected_menu(portal, 'cli1')
    browser.get('/journal', status=403)


def test_a_language_switch_shows_at_the_next_request(portal):
    browser = logged_in(portal, 'dpo1')
    assert without_count(shown_menu(browser.get('/notice'))) == expected_menu(portal, 'dpo1')
    set_language(browser, 'en')
    assert (without_count(shown_menu(browser.get('/notice')))
            == expected_menu(portal, 'dpo1', 'en'))
    set_language(browser, 'fr')
    assert without_count(shown_menu(browser.get('/notice'))) == expected_menu(portal, 'dpo1')


def test_the_menu_folders_decide_by_their_acl_alone():
    """What the key relies on: the folders of the menu take their ACL from
    the matrix with no state, and compute no local role (so their
    principals are the account's; the key would still be right if one did,
    since it holds each folder's principals)."""
    from portail.models.charter import Charter
    from portail.models.root import PortalRoot
    from portail.models.statistics import StatisticsSpace
    from portail.models.user import Users

    for cls in (PortalRoot, Users, Charter, StatisticsSpace):
        descriptor = cls.__dict__['__acl__']
        assert isinstance(descriptor, ComputedACL) and descriptor.state_of is None, cls
        assert not hasattr(cls, 'local_principals'), cls


def test_the_deciding_principals_are_those_the_acls_name(portal):
    browser = logged_in(portal, 'worker1')
    with RequestAs(portal, browser) as request:
        policy = request.registry.getUtility(ISecurityPolicy)
        root = request.root
        principals = policy.principals_for(request, root)
        deciding = menu.deciding_principals(principals, root)
        assert not any(p.startswith('user:') for p in deciding)
        assert 'role:worker' in deciding and 'portail:active' in deciding
        assert navigation(request)[0] == ('http://localhost/', _('Home'))


def test_the_usual_key_is_the_identitys_principals_the_acls_name(portal):
    for login in LOGINS:
        browser = logged_in(portal, login)
        with RequestAs(portal, browser) as request:
            policy = request.registry.getUtility(ISecurityPolicy)
            folders = menu.folders_of(request.root)
            usual = menu.static_key(request, policy, folders)
            assert usual is not None, login
            # the same principals as the general key finds on each folder
            for _name, deciding in menu.each_key(request, policy, folders):
                assert deciding <= usual, login
            assert usual == frozenset().union(
                *(deciding for _name, deciding in menu.each_key(request, policy, folders)))


def test_a_folder_computing_local_roles_takes_the_general_key(portal, monkeypatch):
    """Should a menu folder compute local roles one day, the usual key gives
    way to the policy's principals on each folder."""
    from portail.models.statistics import StatisticsSpace

    browser = logged_in(portal, 'cli1')
    menu.KEPT.clear()
    monkeypatch.setattr(StatisticsSpace, 'local_principals',
                        lambda self, identity, now, settings: set(), raising=False)
    with RequestAs(portal, browser) as request:
        policy = request.registry.getUtility(ISecurityPolicy)
        assert menu.static_key(request, policy, menu.folders_of(request.root)) is None
    assert without_count(shown_menu(browser.get('/notice'))) == expected_menu(portal, 'cli1')
    assert [key[1] for key in menu.KEPT._items] == ['each']
