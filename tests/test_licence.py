"""The licence (issue 18): LICENSE holds the official English text of the
EUPL 1.2, setup.cfg says the same, and publiccode.yml describes the software
(standard 0.4).

PyYAML is not among the portal's dependencies and is not added for one
file: :func:`read_yaml` reads the subset of YAML that publiccode.yml uses
(block mappings and lists, ``|`` and ``>-`` block scalars, quoted and plain
scalars, full-line comments), and fails on anything else, so the file stays
within what is checked here.
"""
import configparser
import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: the SHA-256 of LICENSE as added: the official English text of the EUPL
#: v. 1.2 in plain text, unchanged (any later edit shows)
EUPL_SHA256 = '2684098cbd7501a84c93cd947f3b32ad01eb955b20a43ad62ab4455eed4d1410'

CATEGORIES = {'workflow-management', 'document-management', 'e-signature',
              'digital-citizenship'}
DEVELOPMENT_STATUSES = {'concept', 'development', 'beta', 'stable', 'obsolete'}
MAINTENANCE_TYPES = {'internal', 'contract', 'community', 'none'}


# -- a reader for the YAML subset of publiccode.yml ---------------------------


def _scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in '"\'':
        return text[1:-1]
    if text in ('true', 'false'):
        return text == 'true'
    assert not text.startswith(('{', '[', '&', '*', '!', '|', '>')), f'unsupported: {text}'
    return text


def _lines(text):
    for raw in text.splitlines():
        if raw.strip() and not raw.lstrip().startswith('#'):
            assert '\t' not in raw, 'tabs are not YAML indentation'
            yield len(raw) - len(raw.lstrip(' ')), raw.strip()


def read_yaml(text):
    """``text`` (the YAML subset above) as dicts, lists and strings."""
    lines = list(_lines(text))
    value, end = _block(lines, 0, 0)
    assert end == len(lines), f'unexpected indentation at line {lines[end]}'
    return value


def _block(lines, i, indent):
    if lines[i][1].startswith('- ') or lines[i][1] == '-':
        items = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith('-'):
            rest = lines[i][1][1:].strip()
            if ':' in rest and not rest.startswith(('"', "'")):
                # a mapping in a list item: its first key on the dash's line
                sub = [(indent + 2, rest)] + lines[i + 1:]
                value, used = _mapping(sub, 0, indent + 2)
                items.append(value)
                i += used
            else:
                items.append(_scalar(rest))
                i += 1
        return items, i
    value, used = _mapping(lines[i:], 0, indent)
    return value, i + used


def _mapping(lines, i, indent):
    mapping = {}
    while i < len(lines) and lines[i][0] == indent:
        key, sep, rest = lines[i][1].partition(':')
        assert sep and re.fullmatch(r'[A-Za-z][\w-]*', key), f'not a key: {lines[i][1]}'
        assert key not in mapping, f'duplicate key {key}'
        rest = rest.strip()
        i += 1
        if rest in ('|', '>-', '>'):
            body = []
            while i < len(lines) and lines[i][0] > indent:
                body.append(lines[i][1])
                i += 1
            mapping[key] = ('\n' if rest == '|' else ' ').join(body)
        elif rest:
            mapping[key] = _scalar(rest)
        else:
            assert i < len(lines) and lines[i][0] > indent, f'{key} has no value'
            mapping[key], i = _block(lines, i, lines[i][0])
    return mapping, i


def test_the_reader_refuses_what_it_does_not_know():
    with pytest.raises(AssertionError):
        read_yaml('name: [a, b]\n')
    with pytest.raises(AssertionError):
        read_yaml('name: a\nname: b\n')
    assert read_yaml('a:\n  - x\n  - y: "1"\n    z: true\nb: >-\n  one\n  two\n') == {
        'a': ['x', {'y': '1', 'z': True}], 'b': 'one two'}


# -- the licence ---------------------------------------------------------------


def test_license_is_the_official_eupl_1_2():
    text = (ROOT / 'LICENSE').read_text(encoding='utf-8')
    assert text.lstrip().startswith('EUROPEAN UNION PUBLIC LICENCE v. 1.2')
    assert 'EUPL © the European Union 2007, 2016' in text
    headings = re.findall(r'^(\d+)\. ', text, flags=re.M)
    assert headings == [str(n) for n in range(1, 16)]
    assert "'Compatible Licences' according to Article 5 EUPL are:" in text.replace('‘', "'") \
        .replace('’', "'")
    assert text.rstrip().endswith('new EUPL version.')
    assert hashlib.sha256(text.encode('utf-8')).hexdigest() == EUPL_SHA256


def setup_metadata():
    config = configparser.ConfigParser()
    config.read(ROOT / 'setup.cfg', encoding='utf-8')
    return config['metadata']


def test_setup_cfg_declares_the_same_licence():
    metadata = setup_metadata()
    assert metadata['license'] == 'EUPL-1.2'
    assert metadata['license_files'] == 'LICENSE'
    classifiers = metadata['classifiers'].split('\n')
    assert 'License :: OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)' \
        in classifiers


def test_publiccode_yml_describes_the_software():
    code = read_yaml((ROOT / 'publiccode.yml').read_text(encoding='utf-8'))
    assert code['publiccodeYmlVersion'] == '0.4'
    assert code['name'] == 'Portail'
    assert re.fullmatch(r'https://\S+', code['url'])
    assert code['softwareVersion'] == setup_metadata()['version']
    assert re.fullmatch(r'\d{4}-\d{2}-\d{2}', code['releaseDate'])
    assert code['platforms'] == ['web']
    assert code['categories'] and set(code['categories']) <= CATEGORIES
    assert code['developmentStatus'] in DEVELOPMENT_STATUSES
    assert code['softwareType'] == 'standalone/web'
    assert set(code['description']) == {'fr', 'en'}
    for language, description in code['description'].items():
        assert 0 < len(description['shortDescription']) <= 150, language
        assert 150 <= len(description['longDescription']) <= 10000, language
        assert description['features'], language
        assert all(len(feature) <= 100 for feature in description['features']), language
    assert code['legal']['license'] == 'EUPL-1.2'
    maintenance = code['maintenance']
    assert maintenance['type'] in MAINTENANCE_TYPES
    assert all(contact['name'] for contact in maintenance['contacts'])
    assert code['localisation'] == {'localisationReady': True,
                                    'availableLanguages': ['fr', 'en']}
    names = [dependency['name'] for dependency in code['dependsOn']['open']]
    assert {'Python', 'ZODB', 'Pyramid', 'PostgreSQL'} <= set(names)


def test_the_legal_notice_names_the_licence(portal):
    page = portal.browser().get('/legal')
    link = page.html.find('main').find('a', string='EUPL-1.2')
    assert link['href'].startswith('https://interoperable-europe.ec.europa.eu/')
