"""What the feed delivers of one item of the feed log: the minimal fields
the departmental information system needs to record the contract and match
the person (docs/feed.md justifies each one), with its id in the
département's own system when the dossier was imported from it.

The fields are read when the item is delivered, from the contract and its
dossier as they are then: an item says "this happened at this time", and
carries the contract as it stands.  Nothing else ever goes out: no note
(level 3), no address, phone, e-mail or household size, no themes, actions
or commitments, no consent, no history, no opinion of the CLI.  A contract
whose person's consent to computerised processing is not (or no longer)
given -- kept on paper -- and a contract or dossier no longer held go out
with their references only.
"""
#: the fields of an item, in their order (docs/feed.md)
FIELDS = ('seq', 'event', 'at', 'dossier', 'contract', 'version', 'state', 'district',
          'external_id', 'last_name', 'first_names', 'birth_date', 'start_date', 'duration_months',
          'end_date', 'review_date')


def _day(value):
    return value.isoformat() if value is not None else None


def deliverable(root, seq, item):
    """The JSON-ready dict of item ``seq`` (``(dossier id, contract id, event,
    time)``), with the fields of :data:`FIELDS` (``None`` where nothing may
    or can be said)."""
    dossier_id, contract_id, event, at = item
    out = dict.fromkeys(FIELDS)
    out.update(seq=seq, event=event, at=at.isoformat(), dossier=dossier_id,
               contract=contract_id)
    dossier = root.dossiers.get(dossier_id)
    contract = dossier.contracts.get(contract_id) if dossier is not None else None
    if contract is None:
        out['state'] = 'erased'
        return out
    out.update(version=contract.version, state=contract.state, district=dossier.district)
    if contract.state == 'paper' or not contract.has_consent('processing'):
        return out  # kept on paper: its existence only
    out.update(external_id=dossier.external_id, last_name=dossier.last_name,
               first_names=dossier.first_names,
               birth_date=_day(dossier.birth_date), start_date=_day(contract.start_date),
               duration_months=contract.duration_months,
               end_date=_day(contract.end_date),
               review_date=_day(contract.review_date))
    return out
