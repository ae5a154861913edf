"""Fixtures: a fresh in-memory portal with the demo département per test,
an injectable clock, and helpers that log in through the login page."""
import re
from datetime import UTC, datetime, timedelta

import pytest
import transaction
from pyramid.i18n import make_localizer
from pyramid.interfaces import ITranslationDirectories
from webtest import TestApp

from portail import main
from portail.clock import FixedClock, IClock
from portail.demo import DEMO_PASSWORD, create_demo
from portail.evolve import evolve
from portail.models.root import get_root

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

TEST_SETTINGS = {
    'zodbconn.uri': 'memory://',
    'zodbconn.uri.sessions': 'memory://',
    'zodbconn.uri.journal': 'memory://',
    'portail.argon2_profile': 'fast',
    'portail.secure_cookies': 'false',
    # webtest's host: links and redirects are built from this, never from Host
    'portail.public_url': 'http://localhost',
}


class FakeClock(FixedClock):
    """A clock that only moves when a test says so."""

    def __init__(self, now=START):
        super().__init__(now)

    def advance(self, **kw):
        self.current += timedelta(**kw)


class Portal:
    """The application under test, its database and its clock."""

    def __init__(self, settings=None):
        self.settings = dict(TEST_SETTINGS, **(settings or {}))
        self.wsgi = main({}, **self.settings)
        self.registry = self.wsgi.registry
        self.clock = FakeClock()
        self.registry.registerUtility(self.clock, IClock)
        self.db = self.registry._zodb_databases['']

    def initialise(self, demo=True):
        evolve(self.db, self.clock.now(), log=lambda msg: None)
        if demo:
            with self.root() as root:
                create_demo(root, self.registry)
        return self

    def root(self):
        return _RootContext(self.db)

    def browser(self):
        """A new browser (its own cookie jar) on the same application."""
        return Browser(self.wsgi, self)

    def fr(self, message):
        """``message`` as the French interface shows it."""
        dirs = self.registry.getUtility(ITranslationDirectories)
        return make_localizer('fr', dirs).translate(message)


class _RootContext:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.tm = transaction.TransactionManager(explicit=True)
        self.conn = self.db.open(transaction_manager=self.tm)
        self.tm.begin()
        return get_root(self.conn.root())

    def __exit__(self, exc_type, *args):
        if exc_type is None:
            self.tm.commit()
        else:
            self.tm.abort()
        self.conn.close()


class Browser(TestApp):
    def __init__(self, wsgi, portal):
        super().__init__(wsgi, extra_environ={'REMOTE_ADDR': '192.0.2.10'})
        self.portal = portal

    def login(self, login, password=DEMO_PASSWORD, status=None):
        """Log in through the login page; return the page after redirects."""
        page = self.get('/login')
        form = page.forms[_login_form_index(page)]
        form['login'] = login
        form['password'] = password
        response = form.submit(status=status or '*')
        while response.status_int in (302, 303):
            response = response.follow()
        return response

    def csrf(self, page=None):
        page = page or self.get('/notice')
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def post_csrf(self, url, params=None, **kw):
        params = dict(params or {}, csrf_token=self.csrf())
        return self.post(url, params, **kw)


def _login_form_index(page):
    for index, form in page.forms.items():
        if form.action.endswith('/login'):
            return index
    raise AssertionError('no login form')


@pytest.fixture
def portal():
    return Portal().initialise()


@pytest.fixture
def browser(portal):
    return portal.browser()


def logged_in(portal, login):
    browser = portal.browser()
    browser.login(login)
    return browser


class RequestAs:
    """A real Pyramid request of ``browser``'s session, inside a transaction
    that is aborted at the end: for checks at the level of the security policy."""

    def __init__(self, portal, browser=None):
        self.portal = portal
        self.browser = browser

    def __enter__(self):
        from pyramid.request import Request
        from pyramid.scripting import prepare

        cookies = {}
        if self.browser is not None and self.browser.cookies.get('portail_session'):
            cookies['portail_session'] = self.browser.cookies['portail_session']
        request = Request.blank('/', cookies=cookies)
        request.tm = transaction.TransactionManager(explicit=True)
        request.tm.begin()
        self.env = prepare(request=request, registry=self.portal.registry)
        request.root = self.env['root']
        return request

    def __exit__(self, *args):
        self.env['request'].tm.abort()
        self.env['closer']()


def find_dossier(root, last_name):
    for dossier in root.dossiers.values():
        if dossier.last_name == last_name:
            return dossier
    raise KeyError(last_name)


def tick(form, values, name='checkbox'):
    """Tick exactly ``values`` among a deform checkbox group of ``form``."""
    for field in form.fields[name]:
        field.checked = field._value in values
