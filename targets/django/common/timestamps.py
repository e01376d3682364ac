"""Timestamps as the API shows them: UTC, millisecond precision, ``...T18:32:05.123Z``.

Values are truncated to the millisecond before they are stored, so what the database holds is
exactly what the API prints: ``createdAt`` stays byte-identical however often it is re-read.
"""
from datetime import timedelta

from django.utils import timezone

ONE_MS = timedelta(milliseconds=1)


def now_ms():
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def later_than(previous):
    """Now, or ``previous`` + 1 ms when the clock has not moved a millisecond since (or went
    back): an update's ``updatedAt`` is always strictly later than the one before."""
    now = now_ms()
    # parity-ruling: begin 7 updatedAt strictly later within one millisecond
    return now if previous is None or now > previous else previous + ONE_MS
    # parity-ruling: end


def iso_ms(value):
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (value.microsecond // 1000)
