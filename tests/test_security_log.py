"""The security log (issue 13): one JSON line per event on ``portail.security``,
with pseudonymous ids, the address and fixed codes, never a login, a name or
anything typed."""
import configparser
import json
import logging
import logging.handlers
import os
import re
from datetime import timedelta

import pytest
from pythonjsonlogger.json import JsonFormatter

from portail import security_log
from portail.demo import ACCOUNTS, DEMO_PASSWORD
from tests.conftest import START, logged_in, tick, uid_of
from tests.test_activation import activate, durand_url, give_code
from tests.test_passwords import change_password


def iso(moment):
    """A time as the security log writes it."""
    return moment.isoformat(timespec='milliseconds')


AT_START = iso(START)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDRESS = '192.0.2.10'  # the REMOTE_ADDR of the test browsers
UID = re.compile(r'^[0-9a-f]{24}$')


#: the folder of production.ini's security log (deploy/: the portail account's log folder)
PRODUCTION_LOGS = '/var/log/portail'


def ini_sections(name, here=ROOT):
    parser = configparser.ConfigParser(defaults={'here': here})
    parser.read(os.path.join(ROOT, name), encoding='utf-8')
    return parser


def ini_in(name, folder):
    """A copy of the ini file ``name`` in ``folder`` whose production log
    folder is ``folder/var``: its security log is ``folder/var/security.log``."""
    with open(os.path.join(ROOT, name), encoding='utf-8') as original:
        text = original.read().replace(PRODUCTION_LOGS, os.path.join(folder, 'var'))
    copy = os.path.join(folder, name)
    with open(copy, 'w', encoding='utf-8') as written:
        written.write(text)
    return copy


def ini_formatter(name):
    """The formatter that ``[formatter_security]`` of ``name`` configures."""
    section = ini_sections(name)['formatter_security']
    assert section['class'] == 'pythonjsonlogger.json.JsonFormatter'
    return JsonFormatter(section.get('format', raw=True))


class Lines(logging.Handler):
    """Keeps the formatted lines of the ``portail.security`` logger."""

    def __init__(self):
        super().__init__()
        self.lines = []
        self.setFormatter(ini_formatter('development.ini'))

    def emit(self, record):
        self.lines.append(self.format(record))

    def events(self, event=None):
        parsed = [json.loads(line) for line in self.lines]
        return [e for e in parsed if event is None or e['event'] == event]

    def of(self, event):
        """``[(user, reason)]`` of the lines of ``event``, in order."""
        return [(e.get('user'), e.get('reason')) for e in self.events(event)]

    def last(self, event):
        found = self.events(event)
        assert found, f'no {event} in {self.events()}'
        return found[-1]


# -- the configuration ----------------------------------------------------

@pytest.mark.parametrize('name', ['development.ini', 'production.ini'])
def test_the_ini_files_give_the_logger_a_json_lines_handler(name):
    parser = ini_sections(name)
    assert 'security' in parser['loggers']['keys']
    logger = parser['logger_security']
    assert logger['qualname'] == 'portail.security' and logger['propagate'] == '0'
    assert logger['handlers'] == 'security' and logger['level'] == 'INFO'
    assert parser['handler_security']['formatter'] == 'security'
    fmt = parser['formatter_security'].get('format', raw=True)
    assert fmt == security_log.FORMAT


CONFIGURE_AND_LOG = """
import logging, logging.config, sys
logging.config.fileConfig(sys.argv[1], defaults={'here': sys.argv[2]})
fields = dict(time='t', event='login.failure', user=None, address='192.0.2.1', target=None,
              object=None, view=None, reason='unknown-login')
logging.getLogger('portail.security').warning('login.failure', extra=fields)
logging.getLogger('portail.security').debug('login.failure', extra=fields)
logging.getLogger('portail.views').warning('an ordinary message')
"""


@pytest.mark.parametrize('name', ['development.ini', 'production.ini'])
def test_the_ini_logging_configuration_as_file_config_reads_it(name, tmp_path):
    """The ini's own logging sections, loaded by ``fileConfig`` in a fresh
    process as ``pserve`` does: one JSON line per event, apart from the
    ordinary messages."""
    import subprocess
    import sys

    (tmp_path / 'var').mkdir()
    done = subprocess.run(  # noqa: S603
        [sys.executable, '-c', CONFIGURE_AND_LOG, ini_in(name, str(tmp_path)), str(tmp_path)],
        capture_output=True, text=True, check=True)
    stderr = done.stderr.splitlines()
    if name == 'development.ini':
        security = [line for line in stderr if line.startswith('{')]
    else:
        security = (tmp_path / 'var' / 'security.log').read_text().splitlines()
        assert not any(line.startswith('{') for line in stderr)
    assert [json.loads(line) for line in security] == [{
        'time': 't', 'event': 'login.failure', 'user': None, 'address': '192.0.2.1',
        'target': None, 'object': None, 'view': None, 'reason': 'unknown-login'}]
    assert any('an ordinary message' in line for line in stderr)
    assert not any('login.failure' in line for line in stderr if not line.startswith('{'))


def test_production_writes_var_security_log(portal, tmp_path):
    """The handler of production.ini, built as ``fileConfig`` builds it."""
    section = ini_sections('production.ini', here=str(tmp_path))['handler_security']
    handler_class = logging.handlers.WatchedFileHandler
    assert section['class'] == 'logging.handlers.WatchedFileHandler'
    args = eval(section['args'], vars(logging))  # noqa: S307 (as fileConfig does)
    assert args[0] == f'{PRODUCTION_LOGS}/security.log'
    args = (f'{tmp_path}/var/security.log', *args[1:])
    (tmp_path / 'var').mkdir()
    handler = handler_class(*args)
    handler.setFormatter(ini_formatter('production.ini'))
    logger = logging.getLogger(security_log.LOGGER_NAME)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        portal.browser().login('worker1', 'not the password!!')
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        handler.close()
    lines = (tmp_path / 'var' / 'security.log').read_text().splitlines()
    assert [json.loads(line) for line in lines] == [{
        'time': AT_START, 'event': 'login.failure',
        'user': uid_of(portal, 'worker1'), 'address': ADDRESS, 'target': None,
        'object': None, 'view': None, 'reason': 'password'}]


def test_without_configuration_the_records_propagate(portal, caplog):
    caplog.set_level(logging.INFO, logger=security_log.LOGGER_NAME)
    portal.browser().login('worker1')
    records = [r for r in caplog.records if r.name == 'portail.security']
    assert [r.getMessage() for r in records] == ['login.success']
    assert records[0].user == uid_of(portal, 'worker1')


# -- the events, through the pages -----------------------------------------

def test_login_success_and_logout(portal, security):
    browser = logged_in(portal, 'worker1')
    browser.post_csrf('/logout')
    uid = uid_of(portal, 'worker1')
    assert security.events() == [
        {'time': AT_START, 'event': 'login.success', 'user': uid,
         'address': ADDRESS, 'target': None, 'object': None, 'view': None, 'reason': None},
        {'time': AT_START, 'event': 'logout', 'user': uid,
         'address': ADDRESS, 'target': None, 'object': None, 'view': None, 'reason': None},
    ]


def test_failures_lockout_and_unlock(portal, security):
    uid = uid_of(portal, 'worker2')
    browser = portal.browser()
    for attempt in range(3):
        browser.login('worker2', f'wrong password {attempt}')
    failures = security.events('login.failure')
    assert [(e['user'], e['reason']) for e in failures] == [(uid, 'password')] * 3
    locked = security.last('account.locked')
    assert locked['user'] == uid and locked['reason'] == 'failed-logins'
    browser.login('worker2')  # the right password, on a locked account
    assert security.last('login.failure')['reason'] == 'locked'
    admin = logged_in(portal, 'admin1')
    account = admin.get(f'/users/{uid}/')
    form = [f for f in account.forms.values() if (f.action or '').endswith('unlock')][0]
    form.submit()
    unlocked = security.last('account.unlocked')
    assert unlocked['user'] == uid_of(portal, 'admin1') and unlocked['target'] == uid


def test_an_unknown_login_is_never_logged(portal, security):
    """What was typed in the login field may be a password: it is not kept."""
    typed = 'Mon-Vrai-Mot-De-Passe-2026'
    portal.browser().login(typed, 'anything at all')
    failure = security.last('login.failure')
    assert failure['user'] is None and failure['reason'] == 'unknown-login'
    assert typed not in ''.join(security.lines)
    assert typed.lower() not in ''.join(security.lines).lower()


def test_disabled_account(portal, security):
    with portal.root() as root:
        root.users.find_login('worker2').disabled = True
    portal.browser().login('worker2')
    failure = security.last('login.failure')
    assert failure['user'] == uid_of(portal, 'worker2') and failure['reason'] == 'disabled'


def test_the_forwarded_for_header_is_not_believed(portal, security):
    """Waitress puts the proxy's X-Forwarded-For into REMOTE_ADDR when the
    proxy is trusted (production.ini); the header itself is the client's word."""
    browser = portal.browser()
    browser.extra_environ['HTTP_X_FORWARDED_FOR'] = '203.0.113.99'
    browser.login('worker1')
    assert security.last('login.success')['address'] == ADDRESS
    # nor is it shown as the origin of the previous login
    portal.clock.advance(hours=1)
    page = portal.browser().login('worker1')
    assert ADDRESS in page.text and '203.0.113.99' not in page.text


def test_reset_and_forced_change(portal, security):
    admin = logged_in(portal, 'admin1')
    uid = uid_of(portal, 'worker1')
    result = admin.get(f'/users/{uid}/reset-password').forms['confirm'].submit()
    temporary = result.html.find(id='temporary-password').text
    reset = security.last('password.reset')
    assert reset['user'] == uid_of(portal, 'admin1') and reset['target'] == uid
    worker = portal.browser()
    worker.login('worker1', temporary)
    change_password(worker, temporary, 'Ma nouvelle phrase secrète')
    changed = security.last('password.changed')
    assert changed['user'] == uid and changed['reason'] == 'reset'
    assert temporary not in ''.join(security.lines)


def test_a_chosen_change_has_no_reason(portal, security):
    browser = logged_in(portal, 'worker1')
    change_password(browser, DEMO_PASSWORD, 'Une phrase de passe neuve')
    changed = security.last('password.changed')
    assert changed['user'] == uid_of(portal, 'worker1') and changed['reason'] is None


def test_session_replaced_and_expired(portal, security):
    first = logged_in(portal, 'worker1')
    logged_in(portal, 'worker1')
    uid = uid_of(portal, 'worker1')
    assert security.last('session.replaced')['user'] == uid
    first.get('/')  # told why; logged once, at the replacement
    assert len(security.events('session.replaced')) == 1
    third = logged_in(portal, 'worker3')
    portal.clock.advance(minutes=16)
    third.get('/')
    expired = security.last('session.expired')
    assert expired['user'] == uid_of(portal, 'worker3') and expired['reason'] == 'idle'
    assert expired['time'] == iso(START + timedelta(minutes=16))


def test_absolute_expiry(portal, security):
    browser = logged_in(portal, 'worker1')
    for _ in range(61):
        portal.clock.advance(minutes=10)
        browser.get('/')
    assert security.last('session.expired')['reason'] == 'absolute'


def test_an_unknown_session_token(portal, security):
    browser = portal.browser()
    browser.set_cookie('portail_session', 'a-token-nobody-issued')
    browser.get('/')
    expired = security.last('session.expired')
    assert expired['user'] is None and expired['reason'] == 'unknown'
    assert 'a-token-nobody-issued' not in ''.join(security.lines)


def test_account_administration(portal, security):
    admin = logged_in(portal, 'admin1')
    admin_uid = uid_of(portal, 'admin1')
    form = admin.get('/users/add').forms['form']
    form['login'], form['fullname'] = 'nouvelle', 'Nina Nouvelle'
    tick(form, ['dpo'])
    form.submit()
    created = security.last('account.created')
    assert created['user'] == admin_uid and created['target'] == uid_of(portal, 'nouvelle')
    uid = uid_of(portal, 'manager1')
    form = admin.get(f'/users/{uid}/').forms['form']
    form['qualified'] = True
    form.submit()
    assert security.last('roles.changed')['target'] == uid
    form = admin.get(f'/users/{uid}/').forms['form']
    form['fullname'] = 'Marc Responsable-Dupont'  # no change of rights: no event
    form.submit()
    assert len(security.events('roles.changed')) == 1
    page = admin.get(f'/users/{uid}/disable').forms['confirm'].submit().follow()
    assert security.last('account.disabled')['target'] == uid
    [f for f in page.forms.values() if (f.action or '').endswith('enable')][0].submit()
    assert security.last('account.enabled')['target'] == uid
    assert 'Responsable-Dupont' not in ''.join(security.lines)


def test_activation(portal, security):
    url = durand_url(portal)
    login, code, _page = give_code(logged_in(portal, 'worker1'), url)
    person = portal.browser()
    activate(person, 'b0000000', code)  # no such login
    failure = security.last('activation.failure')
    assert failure['user'] is None
    activate(person, login, 'AAAA-BBBB-CCCC')
    assert security.last('activation.failure')['user'] == uid_of(portal, login)
    activate(person, login, code)
    assert security.last('account.activated')['user'] == uid_of(portal, login)
    # a staff login is never named: the page does not concern it
    activate(person, 'worker2', 'AAAA-BBBB-CCCC')
    assert security.last('activation.failure')['user'] is None
    # wrong codes use the code up; they lock no account
    _login, code, _page = give_code(logged_in(portal, 'worker1'), url)
    for attempt in range(3):
        activate(person, login, f'AAAA-BBBB-CCC{attempt}')
        assert security.last('activation.failure')['user'] == uid_of(portal, login)
    activate(person, login, code)
    assert security.last('activation.failure')['user'] == uid_of(portal, login)
    assert not [line for line in security.lines if 'account.locked' in line]
    text = ''.join(security.lines)
    assert login not in text and code not in text and 'AAAA' not in text


def test_csrf_refusals(portal, security):
    browser = logged_in(portal, 'worker1')
    assert browser.post('/logout', {'csrf_token': 'forged'}, status=400)
    refused = security.last('csrf.refused')
    assert refused['user'] == uid_of(portal, 'worker1') and refused['view'] == 'logout'
    anonymous = portal.browser()
    anonymous.post('/login', {'login': 'worker2', 'password': 'x', 'csrf_token': 'forged'},
                   status=400)
    refused = security.last('csrf.refused')
    assert refused['user'] is None and refused['view'] == 'login'
    assert 'forged' not in ''.join(security.lines)


def test_access_denied_on_a_dossier(portal, security):
    url = durand_url(portal)
    worker2 = logged_in(portal, 'worker2')
    worker2.get(url + 'account', status=403)
    denied = security.last('access.denied')
    assert denied['user'] == uid_of(portal, 'worker2')
    assert denied['object'] == url.rstrip('/') and denied['view'] == 'account'
    assert re.fullmatch(r'/dossiers/[0-9a-f]{24}', denied['object'])
    logged_in(portal, 'admin1').get(url, status=403)
    denied = security.last('access.denied')
    assert denied['user'] == uid_of(portal, 'admin1') and denied['view'] is None


def test_no_line_holds_a_login_a_name_or_a_password(portal, security):
    """A busy morning: every line has the fixed fields only, and none of the
    logins, names or secrets involved appears anywhere."""
    url = durand_url(portal)
    for login in ('worker1', 'worker2', 'admin1', 'beneficiary1'):
        logged_in(portal, login).post_csrf('/logout')
    portal.browser().login('worker3', 'Wassila-pas-le-bon-2026')
    portal.browser().login('Wassila Travailleuse', DEMO_PASSWORD)
    logged_in(portal, 'worker2').get(url + 'account', status=403)
    logged_in(portal, 'worker1').post('/logout', {'csrf_token': 'x'}, status=400)
    text = '\n'.join(security.lines)
    assert len(security.lines) >= 12
    for login, fullname, *_rest in ACCOUNTS:
        assert login not in text
        for part in fullname.split():
            assert part not in text
    for secret in (DEMO_PASSWORD, 'Wassila-pas-le-bon-2026', 'Wassila'):
        assert secret not in text
    for event in security.events():
        assert list(event) == list(security_log.FIELDS)
        assert event['event'] in security_log.EVENTS
        assert event['user'] is None or UID.match(event['user'])
        assert event['address'] == ADDRESS


def test_an_unknown_event_code_is_a_programming_error(portal):
    from tests.conftest import RequestAs

    with RequestAs(portal) as request, pytest.raises(KeyError):
        security_log.security_event(request, 'something free')
