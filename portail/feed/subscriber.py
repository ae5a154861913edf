"""The feed log kept in step with the contract workflow (docs/feed.md)."""
from portail.clock import utcnow
from portail.feed.log import event_of, feed_log_of
from portail.workflow.engine import AfterTransition


def log_transition(event):
    """After every transition of a contract: append an item to the feed log
    when the transition is one the departmental system must learn of."""
    name = event_of(event.transition.name, event.source)
    if name is None:
        return
    contract = event.context
    request = event.request
    feed = feed_log_of(request.root._p_jar.root())
    if feed is None:
        return  # before evolve step 0019: portail-evolve creates the log
    feed.append(contract.dossier.__name__, contract.__name__, name,
                utcnow(request.registry))


def includeme(config):
    config.add_subscriber(log_transition, AfterTransition)
