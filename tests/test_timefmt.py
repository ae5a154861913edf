"""Dates and times as people in the département read them (portail/timefmt.py):
local time of Paris, summer and winter, and nothing shown for a missing date."""
from datetime import timedelta

from portail.timefmt import format_date, format_datetime
from tests.conftest import START, find_dossier, logged_in


def paris_offset(moment):
    """Paris is one hour ahead of UTC in winter and two in summer."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo('Europe/Paris')).utcoffset()


def test_a_time_is_shown_in_paris_time_in_winter_and_in_summer():
    # mid-January and mid-July of the year of the suite's START, shifted or not
    winter, summer = START.replace(month=1, day=15), START.replace(month=7, day=15)
    assert paris_offset(winter) == timedelta(hours=1)
    assert paris_offset(summer) == timedelta(hours=2)
    for moment in (START, winter, summer):
        local = moment + paris_offset(moment)
        assert format_datetime(moment) == local.strftime('%d/%m/%Y %H:%M')
    assert format_datetime(winter)[-5:] == '10:00' and format_datetime(summer)[-5:] == '11:00'


def test_a_date_is_day_month_year():
    day = START.date() + timedelta(days=40)
    assert format_date(day) == f'{day.day:02d}/{day.month:02d}/{day.year}'


def test_a_missing_date_or_time_shows_nothing():
    assert format_datetime(None) == ''
    assert format_date(None) == ''


def test_the_pages_show_the_portal_s_time_in_paris_time(portal):
    """The contract page dates its history in local time, from the portal's
    clock, whatever the server's time zone."""
    worker = logged_in(portal, 'worker1')
    with portal.root() as root:
        dossier = find_dossier(root, 'Martin')
        contract = next(c for c in dossier.contracts.values() if c.state == 'shared')
        url = f'/dossiers/{dossier.__name__}/contracts/{contract.__name__}/'
        recorded = contract.history[-1].at
    page = worker.get(url)
    assert format_datetime(recorded) in page.text
    assert format_datetime(recorded) == format_datetime(portal.clock.now())
