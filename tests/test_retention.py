"""Retention and real erasure (docs/domain.md, *Rights of the person*): after the retention command
and its pack, no byte of an erased person's data remains in any storage file."""
import os
from datetime import date, timedelta

import pytest

from portail.clock import utcnow
from portail.demo import ActingAs, contract_in_state
from portail.models.dossier import Dossier
from portail.models.note import Note
from portail.models.request import RightsRequest
from portail.models.user import User
from portail.scripts import application, init, portal_root, retention
from tests.test_scripts import INI


def make_dossier(root, registry, tag, referent, when):
    """A dossier with ``tag`` in every field, contract, note, request and account."""
    dossier = Dossier(referent.district, referent.uid)
    dossier.last_name, dossier.first_names = f'{tag}NAME', f'{tag}FIRST'
    dossier.birth_date = date(1950, 1, 1)
    dossier.address, dossier.phone = f'{tag}-ADDRESS', f'{tag}-PHONE'
    dossier.email = f'{tag.lower()}@example.org'
    dossier.created_at = dossier.modified_at = when
    root.dossiers.add_dossier(dossier)
    account = User(f'acct{tag.lower()}', f'{tag}-ACCOUNT', ('beneficiary',), referent.district)
    root.users.add_user(account)
    root.dossiers.set_beneficiary(dossier, account.uid)
    values = {'start_date': when.date(), 'duration_months': 6, 'themes': ('emploi',),
              'actions': f'{tag}-ACTIONS', 'commitments': f'{tag}-COMMITMENTS'}
    contract = contract_in_state(root, registry, dossier, values, 'shared')
    note = Note(referent.uid, f'{tag}-NOTE', False, when)
    dossier.notes.add(note)
    request = RightsRequest('erasure', f'{tag}-REQUEST', 'online', account.uid, when)
    root.dossiers.add_request(dossier, request)
    return dossier, contract, request


def scan(folder, needle):
    """The files under ``folder`` whose bytes contain ``needle``."""
    found = []
    for base, _dirs, files in os.walk(folder):
        for name in files:
            with open(os.path.join(base, name), 'rb') as fh:
                if needle.encode('utf-8') in fh.read():
                    found.append(name)
    return found


@pytest.fixture
def storage(tmp_path):
    var = tmp_path / 'var'
    var.mkdir()
    ini = tmp_path / 'test.ini'
    ini.write_text(INI.format(var=var))
    init.main([str(ini), '--demo'])
    return str(ini), str(var)


def test_erasure_leaves_no_byte_behind(storage, capsys):
    ini, var = storage
    with application(ini) as registry:
        now = utcnow(registry)  # the tools' clock, fixed by INI
        with portal_root(registry, 'test data') as root:
            worker = root.users.find_login('worker1')
            acting = ActingAs(registry, root, worker.uid)
            # 1. erasure accepted on the person's request (an open contract does not matter)
            gone, _contract, request = make_dossier(root, registry, 'ERASEMEQX', worker, now)
            request.status = 'accepted'
            # 2. no open contract and no contact for three years
            old, contract, request2 = make_dossier(root, registry, 'OLDQX', worker,
                                                   now - timedelta(days=3 * 365))
            request2.status = 'refused'
            from portail.workflow.contract import CONTRACT_WORKFLOW

            CONTRACT_WORKFLOW.execute(contract, acting, 'close')
            for obj in [old, contract, *old.notes.values(), *old.requests.values()]:
                obj.modified_at = now - timedelta(days=3 * 365)
            # 3. a recent dossier that stays
            make_dossier(root, registry, 'KEEPMEQX', worker, now)
            gone_name, old_name = gone.__name__, old.__name__
    capsys.readouterr()
    assert retention.main([ini]) == 0
    listing = capsys.readouterr().out
    assert gone_name in listing and old_name in listing and '2 dossier(s) due' in listing
    assert 'ERASEMEQX' not in listing  # ids only
    assert scan(var, 'ERASEMEQX')  # still there before --erase
    assert retention.main([ini, '--erase']) == 0
    assert '2 dossier(s) erased' in capsys.readouterr().out
    for tag in ('ERASEMEQX', 'OLDQX'):
        assert scan(var, tag) == [], tag
    assert 'Data.fs' in scan(var, 'KEEPMEQX-NOTE')
    # what FileStorage's pack leaves behind is gone (other databases' empty
    # commit buffers, such as Journal.fs.tmp, hold no data: the scan above says so)
    assert not [f for f in os.listdir(var)
                if f.startswith('Data.fs.') and f.endswith(('.old', '.pack', '.tmp', '.tr'))]
    with application(ini) as registry, portal_root(registry, 'check') as root:
        assert gone_name not in root.dossiers and old_name not in root.dossiers
        assert root.users.find_login('accterasemeqx') is None
        assert sum(len(f) for f in root.cli.values()) >= 1  # the kept one's summary
        for bucket in root.dossiers.contracts_by_district_state.values():
            assert all(ref[0] not in (gone_name, old_name) for ref in bucket)
