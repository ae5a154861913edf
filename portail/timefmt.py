"""Dates and times as people in the département read them (Europe/Paris)."""
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo('Europe/Paris')


def format_datetime(value):
    """``21/11/2026 14:03`` in local time, from an aware UTC datetime."""
    if value is None:
        return ''
    return value.astimezone(LOCAL_ZONE).strftime('%d/%m/%Y %H:%M')


def format_date(value):
    return '' if value is None else value.strftime('%d/%m/%Y')
