"""Garbage-collector settings of a long-running portal process.

Every thread's ZODB connection caches tens of thousands of objects, and a
full collection walks every tracked object while holding the GIL: with
Python's default thresholds the benchmark measured full collections of up
to a second at tier S, stalling every request under way (bench/README.md).
Two settings, applied once the application is built:

``portail.gc_freeze`` (default false; true in the ini files)
    ``gc.freeze()`` after start-up: the code, templates and configuration
    loaded so far leave the collector's generations and are never walked
    again.
``portail.gc_thresholds`` (default: Python's, ``700 10 10``)
    three integers for ``gc.set_threshold``; larger values make collections
    rarer (objects are still freed by reference counting at once; only
    reference cycles wait for a collection).
"""
import gc

from pyramid.events import ApplicationCreated


def parse_thresholds(text):
    """``'50000 20 100'`` → ``(50000, 20, 100)``; ``''`` → ``None``."""
    if not text or not text.strip():
        return None
    values = tuple(int(v) for v in text.split())
    if len(values) != 3 or min(values) < 1:
        raise ValueError('portail.gc_thresholds needs three positive integers')
    return values


def apply_policy(settings):
    thresholds = parse_thresholds(settings['portail.gc_thresholds'])
    if thresholds is not None:
        gc.set_threshold(*thresholds)
    if settings['portail.gc_freeze']:
        gc.collect()
        gc.freeze()


def includeme(config):
    parse_thresholds(config.registry.settings['portail.gc_thresholds'])  # fail at start-up

    def application_created(event):
        apply_policy(event.app.registry.settings)

    config.add_subscriber(application_created, ApplicationCreated)
