"""Series dates: plain functions of the rule."""

from datetime import date, time

import pytest

from panel.meetings import services


def test_fortnightly_for_six_months_gives_thirteen_meetings():
    dates = services.every_n_weeks(date(2027, 1, 5), 2, until=date(2027, 7, 4))
    assert len(dates) == 13
    assert dates[0] == date(2027, 1, 5) and dates[-1] == date(2027, 6, 22)
    assert {d.weekday() for d in dates} == {1}  # every one a Tuesday


def test_until_date_is_inclusive():
    assert services.every_n_weeks(date(2027, 1, 5), 1, until=date(2027, 1, 19)) == [
        date(2027, 1, 5),
        date(2027, 1, 12),
        date(2027, 1, 19),
    ]


def test_series_for_a_count():
    assert len(services.every_n_weeks(date(2027, 1, 5), 3, count=4)) == 4


def test_monthly_on_the_first_wednesday():
    dates = services.monthly_on_weekday(date(2027, 1, 1), weekday=2, week_of_month=1, count=4)
    assert dates == [date(2027, 1, 6), date(2027, 2, 3), date(2027, 3, 3), date(2027, 4, 7)]


def test_monthly_on_the_last_friday_across_a_year_end():
    dates = services.monthly_on_weekday(
        date(2026, 11, 1), weekday=4, week_of_month=-1, until=date(2027, 2, 28)
    )
    assert dates == [date(2026, 11, 27), date(2026, 12, 25), date(2027, 1, 29), date(2027, 2, 26)]


def test_monthly_skips_a_month_whose_date_is_before_the_first():
    dates = services.monthly_on_weekday(date(2027, 1, 10), weekday=2, week_of_month=1, count=2)
    assert dates == [date(2027, 2, 3), date(2027, 3, 3)]


def test_a_series_needs_exactly_one_end():
    with pytest.raises(ValueError):
        services.every_n_weeks(date(2027, 1, 5), 2)
    with pytest.raises(ValueError):
        services.every_n_weeks(date(2027, 1, 5), 2, until=date(2027, 6, 1), count=3)


def test_a_runaway_series_stops_at_the_maximum():
    dates = services.every_n_weeks(date(2027, 1, 5), 1, until=date(2040, 1, 1))
    assert len(dates) == services.MAX_MEETINGS


def test_a_6pm_meeting_stays_at_6pm_in_summer_time():
    winter = services.local_start(date(2027, 1, 5), time(18, 0))
    summer = services.local_start(date(2027, 6, 22), time(18, 0))
    assert winter.utcoffset().total_seconds() == 0
    assert summer.utcoffset().total_seconds() == 3600
    assert winter.hour == summer.hour == 18
