"""Every CSV download opens with its accents intact in a French spreadsheet:
UTF-8 with a byte order mark (without one, Excel reads a CSV in the Windows
code page: "dÃ©but") and ``;`` between the fields (the list separator of a
French-locale spreadsheet, where ``,`` is the decimal mark)."""
import codecs
import csv

import pytest

from portail.demo import create_spread
from tests.conftest import START, Portal, logged_in

HEADER = ['tableau', 'ligne', 'colonne', 'contrats']


@pytest.fixture(scope='module')
def spread():
    """The demo département with the statistics spread (as ``make run`` makes it)."""
    portal = Portal().initialise()
    with portal.root() as root:
        create_spread(root, portal.registry)
        north = next(k for k, d in root.districts.items() if d.name == 'Circonscription Nord')
    return portal, north


@pytest.mark.parametrize('login, scope', [('cli1', 'district'), ('director1', 'département')])
def test_a_statistics_csv_is_utf8_with_a_byte_order_mark(spread, tmp_path, login, scope):
    portal, north = spread
    path = f'/statistics/{north}/csv' if scope == 'district' else '/statistics/csv'
    response = logged_in(portal, login).get(f'{path}?year={START.year}')
    assert response.content_type == 'text/csv' and response.charset == 'utf-8'
    assert response.body.startswith(codecs.BOM_UTF8)
    assert not response.body[len(codecs.BOM_UTF8):].startswith(codecs.BOM_UTF8)
    # saved, then read as a spreadsheet reads it: the accents come back
    saved = tmp_path / 'statistiques.csv'
    saved.write_bytes(response.body)
    with saved.open(encoding='utf-8-sig', newline='') as file:
        rows = list(csv.reader(file, delimiter=';'))
    assert rows[0] == HEADER
    tables = {row[0] for row in rows[1:]}
    assert 'Contrats par mois de début et par état' in tables
    assert 'masqué' in {row[3] for row in rows[1:]}
    assert all(len(row) == len(HEADER) for row in rows)
