import datetime

import pytest

from lifecircle.directory import hours
from lifecircle.directory.hours import HoursError, Span, is_open, parse


def test_weekday_ranges_and_several_spans():
    spans = parse("Mo-Fr 08:30-17:00; Sa 09:00-12:00,14:00-16:00")
    assert Span(0, 510, 1020) in spans and Span(4, 510, 1020) in spans
    assert [s for s in spans if s.weekday == 5] == [Span(5, 540, 720), Span(5, 840, 960)]
    assert not [s for s in spans if s.weekday == 6]


def test_around_the_clock_and_bare_span():
    assert parse("24/7") == [Span(day, 0, 1440) for day in range(7)]
    assert len(parse("08:00-17:00")) == 7


def test_span_past_midnight_continues_next_day():
    spans = parse("Fr 22:00-02:00")
    assert spans == [Span(4, 1320, 1440), Span(5, 0, 120)]


def test_wrapping_day_range_and_off():
    spans = parse("Sa-Mo 10:00-11:00; Su off")
    assert sorted({s.weekday for s in spans}) == [0, 5]


def test_later_rule_replaces_earlier_for_the_same_day():
    assert parse("Mo-Fr 08:00-17:00; Fr 08:00-12:00")[-1] == Span(4, 480, 720)


@pytest.mark.parametrize("text, reason", [
    ("Monday 9-5", "'Monday' is not a weekday"),
    ("Mo 9:00-17:00", "is not a time span"),
    ("Mo 08:00-25:00", "is not a time of day"),
    ("Mo 08:61-09:00", "is not a time of day"),
    ("Mo 08:00-08:00", "is empty"),
])
def test_bad_hours_say_what_is_wrong(text, reason):
    with pytest.raises(HoursError, match=reason):
        parse(text)


def test_is_open_uses_weekday_and_minute():
    spans = parse("Mo-Fr 08:30-17:00")
    monday = datetime.datetime(2026, 11, 23, 8, 30)
    assert is_open(spans, monday)
    assert not is_open(spans, monday.replace(hour=17, minute=0))
    assert not is_open(spans, datetime.datetime(2026, 11, 22, 10, 0))  # a Sunday


def test_each_text_is_parsed_once_and_every_caller_gets_its_own_list():
    """A facility list asks each facility's hours several times: the parse is kept per text, and
    what one caller does with its list does not reach the next."""
    hours._parse.cache_clear()
    first = hours.parse("Mo-Fr 08:00-17:00")
    first.append("not a span")
    again = hours.parse(" Mo-Fr 08:00-17:00 ")
    assert len(again) == 5 and "not a span" not in again
    assert hours._parse.cache_info().hits == 1
