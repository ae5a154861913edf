"""The garbage-collector settings of the server process (portail/gcpolicy.py)."""
import gc

import pytest

from portail import main
from portail.gcpolicy import parse_thresholds
from tests.conftest import TEST_SETTINGS


@pytest.fixture
def restore_gc():
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


def test_thresholds_are_three_positive_integers():
    assert parse_thresholds('50000 20 100') == (50000, 20, 100)
    assert parse_thresholds('') is None
    for bad in ('1 2', '0 1 1', 'a b c'):
        with pytest.raises(ValueError):
            parse_thresholds(bad)


def test_the_application_applies_its_settings_once_built(restore_gc):
    gc.set_threshold(700, 10, 10)
    main({}, **TEST_SETTINGS, **{'portail.gc_thresholds': '40000 20 50',
                                 'portail.gc_freeze': 'true'})
    assert gc.get_threshold() == (40000, 20, 50)
    assert gc.get_freeze_count() > 0


def test_by_default_the_collector_is_left_alone(restore_gc):
    gc.set_threshold(700, 10, 10)
    gc.unfreeze()
    main({}, **TEST_SETTINGS)
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_a_wrong_setting_stops_the_start(restore_gc):
    with pytest.raises(ValueError):
        main({}, **TEST_SETTINGS, **{'portail.gc_thresholds': '700 10'})
