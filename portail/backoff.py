"""Back off before a retried request (docs/domain.md, *Storage and scale*:
correct under concurrent writes).

``pyramid_retry`` runs a request again at once after a ConflictError.  Under
load, the requests that collided would then race each other again; a short
random pause that grows with the attempt spreads them out, so that a busy
index (e.g. the secretaries' queue, one set per district and state) does not
turn retries into repeated conflicts and a 500 for the last one.

A lost storage is not retried at all (:mod:`portail.outage`, included here
with the rest of the retry policy).
"""
import random
import time

from pyramid_retry import IBeforeRetry

#: the longest pause before the first retry, in seconds; doubled at each retry
FIRST_PAUSE = 0.1


def pause_before_retry(event):
    attempt = event.environ.get('retry.attempt', 0)
    time.sleep(random.uniform(0, FIRST_PAUSE * 2 ** attempt))


def includeme(config):
    config.add_subscriber(pause_before_retry, IBeforeRetry)
    config.include('portail.outage')
