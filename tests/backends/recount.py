"""Recount the indexes of ``/dossiers`` from the objects themselves.

After concurrent writes, every index kept up to date on write must equal
what a full scan of the dossiers and contracts computes
(:mod:`portail.models.dossier`)."""
from portail.models.dossier import Dossiers


def index_as_dict(index):
    """An ``OOBTree`` of ``OOTreeSet`` (or of plain values) as a plain dict."""
    return {key: set(value) if hasattr(value, 'keys') else value
            for key, value in index.items()}


def recount(dossiers):
    """The indexes of ``dossiers`` as a full scan computes them."""
    counted = {'by_referent': {}, 'by_identity': {}, 'by_beneficiary': {},
               'contracts_by_district_state': {}, 'contracts_by_end': {}}

    def add(index, key, value):
        counted[index].setdefault(key, set()).add(value)

    for name, dossier in dossiers.items():
        add('by_referent', dossier.referent, name)
        add('by_identity', Dossiers.identity_of(dossier), name)
        if dossier.beneficiary:
            counted['by_beneficiary'][dossier.beneficiary] = name
        for contract_name, contract in dossier.contracts.items():
            ref = (name, contract_name)
            add('contracts_by_district_state', (dossier.district, contract.state), ref)
            if contract.end_date is not None and contract.state != 'closed':
                add('contracts_by_end', contract.end_date.isoformat(), ref)
    return counted


def indexes(dossiers):
    """The indexes of ``dossiers`` as they are stored."""
    return {name: index_as_dict(getattr(dossiers, name))
            for name in ('by_referent', 'by_identity', 'by_beneficiary',
                         'contracts_by_district_state', 'contracts_by_end')}
