"""What serving installs (issue 19): ``make run`` installs setup.cfg's
``install_requires`` only, so no module of the portal may import a package
that only the ``test`` extra brings, and the test tools stay in that extra."""
import ast
import configparser
import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
#: the modules a package of the test extra is imported as, when the names differ
IMPORT_NAMES = {'webtest': {'webtest'}, 'pytest-cov': {'pytest_cov'}, 'Babel': {'babel'},
                'oidc-provider-mock': {'oidc_provider_mock'}}
#: what only the tests and the code's tools use
TEST_TOOLS = {'webtest', 'pytest', 'pytest-cov', 'ruff', 'playwright', 'hypothesis'}


def requirements(text):
    """The distribution names of a setup.cfg list (comments and pins left out)."""
    names = []
    for line in text.splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            names.append(re.split(r'[<>=!~;\[ ]', line, maxsplit=1)[0])
    return names


def setup_cfg():
    parser = configparser.ConfigParser()
    parser.read(PROJECT / 'setup.cfg', encoding='utf-8')
    return (requirements(parser['options']['install_requires']),
            requirements(parser['options.extras_require']['test']))


def imported_top_levels():
    """``{top-level module: [files of portail/ importing it]}``."""
    found = {}
    for path in (PROJECT / 'portail').rglob('*.py'):
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split('.')[0], []).append(str(path.relative_to(PROJECT)))
    return found


def test_the_portal_imports_nothing_of_the_test_extra():
    serving, test = setup_cfg()
    serving_lower = {name.lower() for name in serving}
    only_test = {name for name in test if name.lower() not in serving_lower}
    modules = {module for name in only_test
               for module in IMPORT_NAMES.get(name, {name.lower().replace('-', '_')})}
    imported = imported_top_levels()
    assert {module: files for module, files in imported.items() if module in modules} == {}
    assert 'pytest' in modules and 'webtest' in modules  # the check does look for them


def test_the_test_tools_are_in_the_test_extra_only():
    serving, test = setup_cfg()
    assert TEST_TOOLS <= set(test)
    assert not TEST_TOOLS & {name.lower() for name in serving}


def test_every_requirement_is_pinned():
    serving, test = setup_cfg()
    pinned = {re.split(r'==', line)[0].strip().lower().replace('_', '-')
              for line in (PROJECT / 'constraints.txt').read_text().splitlines()
              if '==' in line and not line.startswith('#')}
    missing = [name for name in serving + test
               if name.lower().replace('_', '-') not in pinned]
    assert missing == []
