"""Workflows: the generic engine (:mod:`.engine`), the contract workflow
(:mod:`.contract`) and consent recording (:mod:`.consents`)."""
from portail.clock import utcnow
from portail.journal.record import record
from portail.workflow.engine import AfterTransition


def contract_changed(event):
    """After every transition: stamp the contract, keep the indexes in step,
    journal the transition."""
    contract = event.context
    request = event.request
    contract.touch(request.authenticated_userid or 'system', utcnow(request.registry))
    request.root.dossiers.reindex_contract(contract)
    record(request, contract.dossier.__name__, f'contract:{contract.__name__}',
           f'transition:{event.transition.name}', 2)


def includeme(config):
    config.add_subscriber(contract_changed, AfterTransition)
