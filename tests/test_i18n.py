"""The catalogs are in step with the code: every message has its French and
English translation, with the same ${placeholders}."""
import os
import re
import subprocess
import sys

import polib
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCALE = os.path.join(ROOT, 'portail', 'locale')


@pytest.fixture(scope='module')
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp('i18n') / 'portail.pot'
    pot_create = os.path.join(os.path.dirname(sys.executable), 'pot-create')
    command = [pot_create, '-d', 'portail', '-o', str(pot), 'portail']
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    return {e.msgid for e in polib.pofile(str(pot))}


@pytest.mark.parametrize('lang', ['fr', 'en'])
def test_every_message_is_translated(extracted, lang):
    po = polib.pofile(os.path.join(LOCALE, lang, 'LC_MESSAGES', 'portail.po'))
    translations = {e.msgid: e.msgstr for e in po if not e.obsolete and 'fuzzy' not in e.flags}
    missing = sorted(m for m in extracted if not translations.get(m))
    assert missing == [], f'run `make i18n` and translate: {missing}'
    for msgid, msgstr in translations.items():
        assert set(re.findall(r'\$\{\w+\}', msgid)) == set(re.findall(r'\$\{\w+\}', msgstr))


@pytest.mark.parametrize('lang', ['fr', 'en'])
def test_compiled_catalogs_are_up_to_date(lang):
    folder = os.path.join(LOCALE, lang, 'LC_MESSAGES')
    po = polib.pofile(os.path.join(folder, 'portail.po'))
    mo = polib.mofile(os.path.join(folder, 'portail.mo'))
    compiled = {e.msgid: e.msgstr for e in mo}
    for entry in po:
        if entry.msgstr and not entry.obsolete:
            assert compiled.get(entry.msgid) == entry.msgstr, entry.msgid
