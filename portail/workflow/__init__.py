"""Workflows: the generic engine (:mod:`.engine`), the contract workflow
(:mod:`.contract`) and consent recording (:mod:`.consents`)."""
from portail.clock import utcnow
from portail.workflow.engine import AfterTransition


def contract_changed(event):
    """After every transition: stamp the contract and keep the indexes in step."""
    contract = event.context
    request = event.request
    contract.touch(request.authenticated_userid or 'system', utcnow(request.registry))
    request.root.dossiers.reindex_contract(contract)


def includeme(config):
    config.add_subscriber(contract_changed, AfterTransition)
