"""The shape of the view code (issue 15): view modules share helpers through
modules without views and never import one another; the transition page
knows no transition by name, each transition declaring what its page needs."""
import ast
import re
from pathlib import Path

import colander

import portail.views
from portail.workflow.contract import TRANSITIONS

VIEWS = Path(portail.views.__file__).parent
TEMPLATES = VIEWS.parent / 'templates'


def _modules():
    """``{module name: source}`` of every module of ``portail/views``."""
    return {path.stem: path.read_text(encoding='utf-8') for path in VIEWS.glob('*.py')
            if path.stem != '__init__'}


def _imported_view_modules(source):
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith('portail.views.'):
                found.add(node.module.split('.')[2])
            elif node.module == 'portail.views':
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name.split('.')[2] for alias in node.names
                         if alias.name.startswith('portail.views.'))
    return found


def test_no_view_module_imports_another():
    modules = _modules()
    with_views = {name for name, source in modules.items() if '@view_config' in source}
    assert {'contracts', 'dossiers', 'notes', 'home', 'cli', 'journal'} <= with_views
    imports = {name: _imported_view_modules(source) & with_views
               for name, source in modules.items()}
    assert {name: found for name, found in imports.items() if found} == {}


def test_the_transition_page_names_no_transition():
    view = (VIEWS / 'contracts.py').read_text(encoding='utf-8')
    view = view[view.index('def option_fields'):view.index('def _consent_page')]
    template = (TEMPLATES / 'contracts' / 'transition.pt').read_text(encoding='utf-8')
    for transition in TRANSITIONS:
        for text in (view, template):
            assert not re.search(rf"""['"]{transition.name}['"]""", text), transition.name


def test_each_transition_of_the_menu_declares_its_page():
    for transition in TRANSITIONS:
        if not transition.menu:
            continue
        assert transition.title and transition.help, transition.name
        schema = transition.options_schema()
        if schema is not None:
            assert isinstance(schema, colander.SchemaNode)
            assert all(node.title and node.widget is not None for node in schema.children)
