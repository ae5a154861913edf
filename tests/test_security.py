"""Deny by default, CSRF, security headers, no personal data in transaction notes."""
import pytest
from pyramid.interfaces import IExceptionResponse
from pyramid.request import Request
from pyramid.scripting import prepare
from pyramid.security import NO_PERMISSION_REQUIRED
from zope.interface.interface import InterfaceClass

from portail.models.district import Districts
from portail.models.root import PortalRoot
from portail.models.user import User, Users
from tests.conftest import find_dossier, logged_in

#: the only views anyone may open without logging in (docs/domain.md, *Pages and requests*)
OPEN_VIEWS = {('PortalRoot', 'login'), ('PortalRoot', 'notice'), ('PortalRoot', 'notice-simple'),
              ('PortalRoot', 'accessibility'), ('PortalRoot', 'legal'),
              ('PortalRoot', 'brand.css'), ('PortalRoot', 'brand-logo'),
              ('PortalRoot', 'language'), ('PortalRoot', 'login-code'),
              ('PortalRoot', 'activate'), ('static', ''),
              # the single sign-on (portail/views/sso.py): whoever comes is not logged in yet
              ('PortalRoot', 'sso-login'), ('PortalRoot', 'sso-callback'),
              ('PortalRoot', 'sso-logged-out'),
              # the health check for monitoring (portail/views/health.py): a route of its own
              ('Health', '')}

#: the views of the API account, whose bearer token is refused with a 401
#: answer in JSON, never the login page (docs/feed.md)
TOKEN_VIEWS = {('PortalRoot', 'feed')}


def registered_views(registry):
    """Yield ``(context name, view name, permission, introspectable)`` of every view."""
    for entry in registry.introspector.get_category('views'):
        intr = entry['introspectable']
        permissions = [r['value'] for r in entry['related'] if r.category_name == 'permissions']
        context = intr['context']
        if intr['route_name'] == '__static/':
            key = 'static'
        else:
            key = getattr(context, '__name__', str(context))
        yield key, intr['name'], (permissions[0] if permissions else None), intr


def methods_of(intr):
    """The HTTP methods a view answers (all of GET and POST when unrestricted)."""
    allowed = intr['request_methods']
    return [m for m in ('GET', 'POST') if not allowed or m in allowed]


def is_exception_view(intr):
    context = intr['context']
    if isinstance(context, InterfaceClass):
        return context.isOrExtends(IExceptionResponse)
    return intr['exception_only'] or (isinstance(context, type) and issubclass(context, Exception))


def test_every_view_declares_a_permission(portal):
    checked = 0
    for context, name, permission, intr in registered_views(portal.registry):
        if is_exception_view(intr):
            continue
        checked += 1
        assert permission is not None, f'view {context}/{name} has no permission'
        if (context, name) in OPEN_VIEWS:
            assert permission == NO_PERMISSION_REQUIRED
        else:
            assert permission != NO_PERMISSION_REQUIRED, f'{context}/{name} is open'
    assert checked >= 10


def url_for(portal, context, name):
    with portal.root() as root:
        uid = root.users.find_login('worker2').uid
        dossier = find_dossier(root, 'Martin')
        contract = next(iter(dossier.contracts))
        note = next(iter(dossier.notes))
        shared = next(c for c in dossier.contracts.values() if c.state == 'shared')
        cli = f'/cli/{dossier.district}/'
        from portail.models.request import RightsRequest

        rq = root.dossiers.add_request(dossier, RightsRequest(
            'objection', 'texte', 'online', dossier.beneficiary, portal.clock.now()))
        from portail.models.commission import CommissionSession

        sessions = root.cli[dossier.district].session_folder(create=True)
        session = sessions.add(CommissionSession(portal.clock.now().date(), uid,
                                                 portal.clock.now()))
        from portail.models.transfer import TransferRequest

        worker3 = root.users.find_login('worker3')
        transfer = root.dossiers.add_transfer(dossier, TransferRequest(
            worker3.uid, worker3.district, 'motif', portal.clock.now()))
        from portail.letters.model import Letter, add_letter

        letter = add_letter(dossier, Letter('end_of_contract', ('contract', contract),
                                            'download', dossier.referent, portal.clock.now(),
                                            b'%PDF-1.7'))
    base = {'PortalRoot': '/', 'Users': '/users/', 'User': f'/users/{uid}/',
            'Dossiers': '/dossiers/', 'Dossier': f'/dossiers/{dossier.__name__}/',
            'Contract': f'/dossiers/{dossier.__name__}/contracts/{contract}/',
            'Note': f'/dossiers/{dossier.__name__}/notes/{note}/',
            'CliDistrict': cli, 'CliSummary': f'{cli}{shared.cli_summary}/',
            'CommissionSessions': f'{cli}sessions/',
            'CommissionSession': f'{cli}sessions/{session}/',
            'RightsRequest': f'/dossiers/{dossier.__name__}/requests/{rq}/',
            'TransferRequest': f'/dossiers/{dossier.__name__}/transfers/{transfer}/',
            'Letter': f'/dossiers/{dossier.__name__}/letters/{letter}/',
            'StatisticsSpace': '/statistics/',
            'DistrictStatistics': f'/statistics/{dossier.district}/',
            'District': f'/districts/{dossier.district}/', 'Districts': '/districts/',
            'Charter': '/charter/', 'static': '/static/', 'Health': '/health'}[context]
    return base + (name if name else '') if context != 'static' else '/static/portail.css'


def all_page_views(portal):
    return [(c, n, p, methods_of(intr)) for c, n, p, intr in registered_views(portal.registry)
            if not is_exception_view(intr)]


def every_page_answered(portal, browser, skip=()):
    """``(context, name, method, url, response)`` of every view of the app
    asked by ``browser`` with each of its methods (a POST with a valid CSRF
    token, so that a refusal is the permission's), but those in ``skip``."""
    token = browser.csrf()
    for context, name, _permission, methods in all_page_views(portal):
        if (context, name) in skip:
            continue
        url = url_for(portal, context, name)
        for method in methods:
            if method == 'GET':
                response = browser.get(url, status='*')
            else:
                response = browser.post(url, {'csrf_token': token}, status='*')
            yield context, name, method, url, response


def test_anonymous_is_refused_everywhere_but_the_open_pages(portal):
    refused = 0
    for context, name, method, url, response in every_page_answered(portal, portal.browser()):
        if (context, name) in OPEN_VIEWS:
            assert not (response.status_int == 302 and '/login' in response.location), url
        elif (context, name) in TOKEN_VIEWS:
            assert response.status_int == 401 and response.json['error'], (method, url)
            refused += 1
        else:
            assert response.status_int == 302, (method, url, response.status)
            assert response.location.endswith('/login'), (method, url)
            refused += 1
    assert refused >= 16


def test_accounts_pages_are_refused_to_every_other_role(portal):
    admin_views = [(c, n, m) for c, n, p, m in all_page_views(portal) if p == 'manage_accounts']
    assert len(admin_views) >= 7
    for login in ('worker1', 'secretary1', 'beneficiary1', 'cli1', 'manager2', 'dpo1'):
        browser = logged_in(portal, login)
        token = browser.csrf()
        for context, name, methods in admin_views:
            url = url_for(portal, context, name)
            if 'GET' in methods:
                assert browser.get(url, status='*').status_int == 403, (login, url)
            assert browser.post(url, {'csrf_token': token}, status='*').status_int == 403
    with portal.root() as root:
        assert not root.users.find_login('worker2').disabled


def test_admin_has_no_permission_on_dossier_content(portal):
    admin = logged_in(portal, 'admin1')
    permissions = {e['introspectable']['value']
                   for e in portal.registry.introspector.get_category('permissions')}
    request = Request.blank('/', cookies={'portail_session': admin.cookies['portail_session']})
    env = prepare(request=request, registry=portal.registry)
    try:
        import transaction

        request.tm = transaction.TransactionManager(explicit=True)
        request.tm.begin()
        root = env['root']
        assert request.has_permission('manage_accounts', root.users)
        for container in (root.dossiers, root.cli):
            for permission in permissions | {'view', 'edit', 'view_dossier'}:
                assert not request.has_permission(permission, container), permission
        request.tm.abort()
    finally:
        env['closer']()
    assert admin.get('/dossiers/', status='*').status_int in (403, 404)
    assert admin.get('/cli/', status='*').status_int in (403, 404)


def test_csrf_is_required_on_every_post(portal):
    anonymous = portal.browser()
    page = anonymous.post('/login', {'login': 'worker1', 'password': 'Portail-Demo-2026'},
                          status=400)
    assert 'Formulaire expiré' in page.text
    assert 'portail_session' not in anonymous.cookies
    admin = logged_in(portal, 'admin1')
    with portal.root() as root:
        uid = root.users.find_login('worker2').uid
    for url in (f'/users/{uid}/disable', f'/users/{uid}/reset-password', '/logout',
                f'/users/{uid}/', '/users/add', '/password'):
        assert admin.post(url, {'csrf_token': 'forged'}, status=400).status_int == 400
        assert admin.post(url, status=400).status_int == 400
    with portal.root() as root:
        assert not root.users[uid].disabled


def test_security_headers_on_every_page(portal):
    anonymous = portal.browser()
    admin = logged_in(portal, 'admin1')
    worker = logged_in(portal, 'worker1')
    responses = [
        anonymous.post('/login', {'login': 'x', 'password': 'y'}, status=400),
        anonymous.get('/login'), anonymous.get('/notice'), anonymous.get('/'),
        anonymous.get('/no-such-page', status=404), worker.post('/logout', status=400),
        admin.get('/users/'), admin.get('/users/add'), admin.get('/password'),
        worker.get('/'), worker.get('/users/', status=403),
        anonymous.get('/static/portail.css'), anonymous.get('/brand.css'),
        anonymous.get('/brand-logo'),
    ]
    for response in responses:
        headers = response.headers
        csp = headers['Content-Security-Policy']
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        assert 'unsafe-inline' not in csp
        assert headers['X-Content-Type-Options'] == 'nosniff'
        assert headers['Referrer-Policy'] == 'no-referrer'
        if response.request.path.startswith('/static/') or response.request.path in (
                '/brand.css', '/brand-logo'):
            assert 'no-store' not in headers.get('Cache-Control', '')
        else:
            assert headers['Cache-Control'] == 'no-store'
            assert '<script' not in response.text and ' style="' not in response.text


def test_no_personal_data_in_transaction_notes(portal):
    worker = logged_in(portal, 'worker1')
    worker.get('/')
    admin = logged_in(portal, 'admin1')
    admin.get('/users/')
    notes = []
    for txn in portal.db.storage.iterator():
        notes.append((txn.user or b'').decode() + ' ' + (txn.description or b'').decode())
    assert len(notes) >= 3
    for note in notes:
        for word in ('worker1', 'admin1', 'Wanda', 'Alice'):
            assert word not in note


@pytest.mark.parametrize('cls', [PortalRoot, Users, User, Districts])
def test_acls_deny_anonymous_everything(cls):
    from pyramid.authorization import ACLHelper, Everyone

    obj = cls.__new__(cls)
    for permission in ('view_home', 'manage_accounts', 'change_password', 'logout'):
        assert not ACLHelper().permits(obj, [Everyone], permission)


def test_the_api_account_is_refused_every_page_but_the_feed(portal):
    from portail.feed.tokens import issue_token

    with portal.root() as root:
        token = issue_token(root.users, 'si', 'SI', portal.clock.now())[1]
    browser = portal.browser()
    browser.extra_environ['HTTP_AUTHORIZATION'] = f'Bearer {token}'
    checked = 0
    for context, name, method, url, response in every_page_answered(portal, browser,
                                                                    skip=OPEN_VIEWS):
        if (context, name) in TOKEN_VIEWS and method == 'GET':
            assert response.status_int == 200, url
        else:
            assert response.status_int == 403, (method, url, response.status)
            assert response.json['error']
            checked += 1
    assert checked >= 50
