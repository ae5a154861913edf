"""Fixtures: a fresh in-memory portal with the demo département per test,
an injectable clock, and helpers that log in through the login page.

The accounts that must have a second factor (administrators, DPO) are
given one with the secret :data:`TOTP_SECRET` (:func:`enrol_second_factor`);
:meth:`Browser.login` types its code, computed with pyotp on the portal's
clock, when the login asks for it.

Nothing in the suite depends on the real date: every test runs on the
portal's clock, which starts at :data:`START`, and states its dates relative
to it.  ``PORTAIL_TEST_CLOCK_SHIFT_DAYS=N`` (read here only) moves
:data:`START` N days ahead, so ``make test-year-ahead`` proves that the suite
passes on any day.

Chameleon compiles every template of every test application again, unless
its compiled modules are kept: :func:`pytest_configure` gives the run a
compiled-template cache (Chameleon's own ``ModuleLoader``, as with
``CHAMELEON_CACHE``), so each template is compiled once per run, or never
when an earlier run left it in ``.pytest_cache``.
"""
import logging
import os
import re
import shutil
import tempfile
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import transaction
from pyramid.i18n import make_localizer
from pyramid.interfaces import ITranslationDirectories
from webtest import TestApp

from portail import main, security_log
from portail.auth import second_factor
from portail.clock import FixedClock, IClock
from portail.demo import DEMO_PASSWORD, create_demo
from portail.evolve import evolve
from portail.models.root import get_root

#: how many days ahead of its usual start the suite's clock runs
CLOCK_SHIFT_DAYS = int(os.environ.get('PORTAIL_TEST_CLOCK_SHIFT_DAYS') or 0)
#: the moment every test's clock starts from (unshifted: Monday 2 November
#: 2026, 10:00 in Paris)
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC) + timedelta(days=CLOCK_SHIFT_DAYS)

TEST_SETTINGS = {
    'zodbconn.uri': 'memory://',
    'zodbconn.uri.sessions': 'memory://',
    'zodbconn.uri.journal': 'memory://',
    'portail.argon2_profile': 'fast',
    'portail.secure_cookies': 'false',
    # written by the journal_key fixture before the first test
    'portail.journal_key_file': os.path.join(tempfile.mkdtemp(prefix='portail-'), 'journal.key'),
    # webtest's host: links and redirects are built from this, never from Host
    'portail.public_url': 'http://localhost',
}


#: the second factor of the test portals' accounts that must have one
TOTP_SECRET = 'PORTAILTESTSECRETPORTAILTESTSECR'  # noqa: S105 (tests only)


def enrol_second_factor(user, now, secret=TOTP_SECRET):
    """Give ``user`` the second factor ``secret``, as if they had enrolled;
    return their recovery codes."""
    return second_factor.enrol(user, secret, 0, now)


def totp_code(secret, now):
    """The code an authenticator app with ``secret`` shows at ``now``."""
    return pyotp.TOTP(secret).at(now)


def second_factor_code(portal, login):
    """The code ``login``'s app shows now, on ``portal``'s clock.  The
    suite's clock stands still, so an account logs in many times within one
    30-second step: the step last used is forgotten first, as if the next
    one had come (the replay refusal is tested on its own)."""
    with portal.root() as root:
        user = root.users.find_login(login)
        user.totp_last_step = 0
        secret = user.totp_secret
    return totp_code(secret, portal.clock.now())


def pytest_report_header(config):
    shift = f' (PORTAIL_TEST_CLOCK_SHIFT_DAYS={CLOCK_SHIFT_DAYS})' if CLOCK_SHIFT_DAYS else ''
    return f'portal clock of the tests starts at {START.isoformat()}{shift}'


def pytest_configure(config):
    """Keep the compiled templates: in pytest's cache folder, where the next
    run finds them, or a temporary folder when the cache is off (``-p
    no:cacheprovider``); unless ``CHAMELEON_CACHE`` already names a folder.

    A compiled template is named by a digest of its source, its path and the
    versions of the installed packages, so a changed template never meets an
    old compilation.
    """
    from chameleon.config import CACHE_DIRECTORY
    from chameleon.loader import ModuleLoader
    from chameleon.template import BaseTemplate

    if CACHE_DIRECTORY is not None:
        return
    cache = getattr(config, 'cache', None)
    if cache is not None:
        folder = str(cache.mkdir('chameleon-templates'))
    else:
        folder = tempfile.mkdtemp(prefix='portail-templates-')
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    BaseTemplate.loader = ModuleLoader(folder)


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

    def initialise(self, demo=True, charter_accepted=True):
        """Evolve the database and add the demo département.  Unless
        ``charter_accepted`` is false, its staff accounts have accepted the
        confidentiality charter's first version (issue 18), so that the
        tests log in straight to their pages; tests/test_charter.py starts
        from accounts that have not."""
        evolve(self.db, self.clock.now(), log=lambda msg: None)
        if demo:
            with self.root() as root:
                create_demo(root, self.registry)
                for user in root.users.values():
                    if second_factor.required(user, self.registry.settings):
                        enrol_second_factor(user, self.clock.now())
                if charter_accepted:
                    accept_charter(root, *root.users.values(), at=self.clock.now())
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


class PortalTransaction:
    """A connection to a test portal's databases in a transaction of its own,
    committed on success (aborted on an error, or always if not ``commit``).

    Subclasses say what the ``with`` statement gives in :meth:`view`.
    """

    def __init__(self, portal_or_db, commit=True):
        self.db = getattr(portal_or_db, 'db', portal_or_db)
        self.commit = commit

    def view(self, conn):
        return conn

    def __enter__(self):
        self.tm = transaction.TransactionManager(explicit=True)
        self.conn = self.db.open(transaction_manager=self.tm)
        self.tm.begin()
        return self.view(self.conn)

    def __exit__(self, exc_type, *args):
        if self.commit and exc_type is None:
            self.tm.commit()
        else:
            self.tm.abort()
        self.conn.close()


class _RootContext(PortalTransaction):
    def view(self, conn):
        return get_root(conn.root())


class Browser(TestApp):
    def __init__(self, wsgi, portal):
        super().__init__(wsgi, extra_environ={'REMOTE_ADDR': '192.0.2.10'})
        self.portal = portal

    def login(self, login, password=DEMO_PASSWORD, status=None, code=True):
        """Log in through the login page; return the page after redirects.

        When the login asks for the second factor's code, type the one of
        the account's app now (``code=False``: stop at that page)."""
        page = self.get('/login')
        form = page.forms[_login_form_index(page)]
        form['login'] = login
        form['password'] = password
        response = _follow(form.submit(status=status or '*'))
        if code and response.request.path == '/login-code':
            form = response.forms[_login_form_index(response, '/login-code')]
            form['code'] = self.second_factor_code(login)
            response = _follow(form.submit(status='*'))
        return response

    def enrol(self):
        """Set up the second factor on its page as a person does (reads the
        key, types the code of an app holding it); return the key and the
        page of the recovery codes."""
        page = self.get('/second-factor')
        secret = page.html.find(id='secret').text.replace(' ', '')
        form = page.forms[_login_form_index(page, '/second-factor')]
        form['code'] = totp_code(secret, self.portal.clock.now())
        return secret, form.submit()

    def second_factor_code(self, login):
        return second_factor_code(self.portal, login)

    def accept_charter(self):
        """Accept the confidentiality charter on its page, as a new staff
        account must before anything else (issue 18); return the home page."""
        page = self.get('/charter/')
        return page.forms['charter-answer'].submit('accept').follow()

    def csrf(self, page=None):
        page = page or self.get('/notice')
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def post_csrf(self, url, params=None, **kw):
        params = dict(params or {}, csrf_token=self.csrf())
        return self.post(url, params, **kw)


def _follow(response):
    while response.status_int in (302, 303):
        response = response.follow()
    return response


def uid_of(portal, login):
    with portal.root() as root:
        return root.users.find_login(login).uid


@pytest.fixture
def security():
    """The lines the security log writes during the test, formatted as the
    ini files say (:class:`tests.test_security_log.Lines`: ``events``,
    ``last``, ``of``)."""
    from tests.test_security_log import Lines

    logger = logging.getLogger(security_log.LOGGER_NAME)
    handler, level = Lines(), logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def accept_charter(root, *users, at=START):
    """Record that ``users`` (the staff among them) accepted the version in
    force of the confidentiality charter at ``at``."""
    from portail.acl.roles import is_staff

    for user in users:
        if is_staff(user) and not root.charter.accepted_current(user):
            root.charter.record_acceptance(user, root.charter.current.number, at)


def _login_form_index(page, action='/login'):
    for index, form in page.forms.items():
        if form.action.endswith(action):
            return index
    raise AssertionError(f'no form posting to {action}')


@pytest.fixture(autouse=True, scope='session')
def journal_key():
    """The journal key of every test portal (TEST_SETTINGS names its file)."""
    from portail.journal.key import create_key, load_key

    path = TEST_SETTINGS['portail.journal_key_file']
    create_key(path)
    yield load_key(path)
    shutil.rmtree(os.path.dirname(path), ignore_errors=True)


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
