"""Fixtures of the browser suite: Debian's Chromium driven by Playwright,
the portal served by waitress on 127.0.0.1, and pages that audit themselves.

Without ``/usr/bin/chromium`` or axe-core (``npm ci``) the suite skips with a
message saying what is missing, unless ``PORTAIL_REQUIRE_BROWSER=1`` (set by
``.ci/setup-browser.sh``, which ``make test`` sources after installing both):
then a missing piece fails the run.
"""
import contextlib
import os
from pathlib import Path

import pytest

from portail.demo import DEMO_PASSWORD
from tests.browser.audit import Auditor
from tests.browser.server import LiveServer
from tests.conftest import Portal, second_factor_code

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get('PORTAIL_CHROMIUM', '/usr/bin/chromium')
AXE = ROOT / 'node_modules' / 'axe-core' / 'axe.min.js'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run']
DESKTOP = {'viewport': {'width': 1280, 'height': 800}}
PHONE = {'viewport': {'width': 360, 'height': 740}, 'device_scale_factor': 2,
         'is_mobile': True, 'has_touch': True}


def unavailable(reason):
    if os.environ.get('PORTAIL_REQUIRE_BROWSER') == '1':
        pytest.fail(f'{reason} (PORTAIL_REQUIRE_BROWSER=1 makes the browser tests mandatory)',
                    pytrace=False)
    pytest.skip(f'browser tests skipped: {reason}; `make test` (.ci/setup-browser.sh) '
                'installs what they need')


@pytest.fixture(scope='session')
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f'no Chromium at {CHROMIUM} (apt-get install chromium)')
    if not AXE.is_file():
        unavailable(f'axe-core is missing ({AXE}; run `npm ci`)')
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope='session')
def artifacts():
    """Screenshots, PDFs and the axe minor findings: a folder the CI keeps."""
    folder = Path(os.environ.get('PORTAIL_SCREENSHOTS') or ROOT / 'tests/browser/artifacts')
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope='session')
def auditor(chromium, artifacts):
    auditor = Auditor(AXE.read_text(encoding='utf-8'), str(artifacts))
    yield auditor
    auditor.write_minor()


@pytest.fixture
def live():
    """A fresh demo portal served over HTTP; ``live.portal.clock`` moves time."""
    portal = Portal().initialise()
    server = LiveServer(portal.wsgi)
    portal.url = server.url
    # links and redirects are built from portail.public_url (read on every request)
    portal.registry.settings['portail.public_url'] = server.url
    yield portal
    server.stop()


@contextlib.contextmanager
def behind_the_scenes(live):
    """What other people do meanwhile, through webtest on the ``live``
    portal (whose links must then point to webtest's host, not the server)."""
    settings = live.registry.settings
    public_url = settings['portail.public_url']
    settings['portail.public_url'] = 'http://localhost'
    try:
        yield
    finally:
        settings['portail.public_url'] = public_url


class UserAgent:
    """One person's browser (its own context: cookies, viewport) on the portal.

    Every navigation goes through :meth:`goto`, :meth:`follow` or
    :meth:`press`, which audit the page reached; :meth:`finish` checks that
    every page loaded was audited and that the console stayed clean.
    """

    def __init__(self, browser, base, auditor, portal=None, **context):
        self.context = browser.new_context(locale='fr-FR', timezone_id='Europe/Paris',
                                           accept_downloads=True, **context)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.base, self.auditor, self.portal = base, auditor, portal
        self.errors, self.loads, self.audited = [], [], []
        self.page.on('console', self._console)
        self.page.on('pageerror', lambda error: self.errors.append(f'pageerror: {error}'))
        self.page.on('load', lambda page: self.loads.append(page.url))

    def _console(self, message):
        if message.type == 'error':
            self.errors.append(f'console: {message.text} ({message.location})')

    def audit(self):
        self.auditor.audit(self.page)
        self.audited.append(self.page.url)

    def goto(self, path):
        self.page.goto(self.base + path)
        self.audit()
        return self.page

    def follow(self, locator):
        """Click ``locator`` (a link or a submit button) and audit the page reached."""
        with self.page.expect_navigation():
            locator.click()
        self.audit()
        return self.page

    def link(self, name, exact=True):
        return self.follow(self.page.get_by_role('link', name=name, exact=exact))

    def button(self, name, exact=True):
        return self.follow(self.page.get_by_role('button', name=name, exact=exact))

    def press(self, key):
        """Press ``key`` where the focus is, expecting it to load a page."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.audit()
        return self.page

    def login(self, login, password=DEMO_PASSWORD, code=True):
        """Log in; when the second factor's code is asked, type the one the
        account's app shows now on the portal's clock (``code=False``: stop
        at that page)."""
        self.goto('/login')
        self.page.get_by_label('Identifiant').fill(login)
        self.page.get_by_label('Mot de passe').fill(password)
        page = self.button('Se connecter')
        if code and page.url.endswith('/login-code'):
            page.get_by_label('Code', exact=True).fill(second_factor_code(self.portal, login))
            page = self.button('Se connecter')
        return page

    def logout(self):
        return self.button('Se déconnecter')

    def flash(self):
        return ' '.join(self.page.locator('.flash').all_inner_texts())

    def finish(self):
        try:
            assert self.errors == [], f'console errors: {self.errors}'
            assert self.loads == self.audited, (
                f'pages loaded but not audited: {set(self.loads) - set(self.audited)}')
        finally:
            self.context.close()


@pytest.fixture
def open_browser(chromium, live, auditor):
    """``open_browser(phone=False)``: a new person's browser on the live portal."""
    agents = []

    def open_(phone=False):
        agent = UserAgent(chromium, live.url, auditor, live, **(PHONE if phone else DESKTOP))
        agents.append(agent)
        return agent

    yield open_
    for agent in agents:
        agent.finish()
