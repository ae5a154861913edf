"""The files of ``deploy/`` made runnable on this machine, for
``tests/backends/test_deploy.py``.

The systemd units name the paths of a Debian installation (``/opt/portail``,
``/etc/portail``, ``/var/lib/portail``...).  :class:`Layout` maps each to a
folder of the test (the checkout and its virtualenv for ``/opt/portail``),
rewrites ``production.ini`` and ``zeo.conf`` into its ``etc`` folder, and
runs the ``ExecStart=`` of a unit as systemd would: with the unit's
``Environment=`` and ``%i`` replaced by the instance.
"""
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT / 'deploy'
UNITS = DEPLOY / 'systemd'
#: the virtualenv running the tests (its bin holds pserve, runzeo, portail-*)
BIN = Path(sys.executable).parent


def parse_unit(path):
    """``{section: [(key, value), ...]}`` of a systemd unit file (comments
    and blank lines skipped; no line continuations are used in deploy/)."""
    sections, current = {}, None
    for raw in Path(path).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(('#', ';')):
            continue
        if line.startswith('[') and line.endswith(']'):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, sep, value = line.partition('=')
        assert sep and current is not None, f'{path}: unreadable line {raw!r}'
        current.append((key.strip(), value.strip()))
    return sections


def values(unit, section, key):
    return [value for name, value in unit.get(section, []) if name == key]


def timers():
    """``{timer name: the service it starts}`` of deploy/systemd."""
    found = {}
    for path in sorted(UNITS.glob('*.timer')):
        unit = parse_unit(path)
        service = (values(unit, 'Timer', 'Unit') or [path.stem + '.service'])[0]
        found[path.name] = service
    return found


class Layout:
    """The folders standing for the installation's, under ``root``."""

    def __init__(self, root):
        root = Path(root)
        # a unix socket's path is short (108 bytes): its folder is in /tmp
        self.run = Path(tempfile.mkdtemp(prefix='portail-run-'))
        self.etc, self.lib, self.log, self.backups = (
            root / 'etc', root / 'lib', root / 'log', root / 'backups')
        for folder in (self.etc / 'keys', self.lib, self.log, self.backups):
            folder.mkdir(parents=True)
        # longest first: /opt/portail/.venv/bin before /opt/portail
        self.paths = {'/opt/portail/.venv/bin': str(BIN), '/opt/portail': str(PROJECT),
                      '/etc/portail': str(self.etc), '/var/lib/portail': str(self.lib),
                      '/var/log/portail': str(self.log),
                      '/var/backups/portail': str(self.backups), '/run/portail': str(self.run)}
        self.ini = self.etc / 'production.ini'
        self.socket = self.run / 'zeo.sock'

    def here(self, text):
        """``text`` with the installation's paths replaced by the test's."""
        for installed, local in self.paths.items():
            text = text.replace(installed, local)
        return text

    def install(self, name, source, settings=None):
        """Write ``source`` (a path) into ``etc/name`` with the test's paths,
        and the given ``[app:main]`` settings replaced or added."""
        lines = self.here(Path(source).read_text()).splitlines()
        for key, value in (settings or {}).items():
            found = [i for i, line in enumerate(lines) if line.split('=')[0].strip() == key]
            if found:
                lines[found[0]] = f'{key} = {value}'
            else:
                lines.insert(lines.index('[app:main]') + 1, f'{key} = {value}')
        (self.etc / name).write_text('\n'.join(lines) + '\n')
        return self.etc / name

    def service(self, name, instance=None):
        """``(argv, environment)`` of the ``ExecStart=`` of deploy/systemd/``name``."""
        unit = parse_unit(UNITS / name)
        (command,) = values(unit, 'Service', 'ExecStart')
        if instance is not None:
            command = command.replace('%i', str(instance))
        env = dict(os.environ)
        for assignment in values(unit, 'Service', 'Environment'):
            key, _sep, value = assignment.partition('=')
            env[key] = self.here(value)
        return shlex.split(self.here(command)), env

    def start(self, name, log, instance=None):
        """Start a long-running service (``Type=simple``) as a subprocess."""
        argv, env = self.service(name, instance)
        with open(log, 'ab') as out:
            return subprocess.Popen(argv, env=env, cwd=self.lib, stdout=out,  # noqa: S603
                                    stderr=subprocess.STDOUT)

    def run_service(self, name, timeout=300):
        """Run a ``Type=oneshot`` service to its end; return the finished process."""
        argv, env = self.service(name)
        return subprocess.run(argv, env=env, cwd=self.lib, capture_output=True,  # noqa: S603
                              text=True, timeout=timeout, check=False)
