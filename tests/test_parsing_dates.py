"""Chinese datelines and date metadata → ISO 8601 with +08:00 by default."""

import pytest

from crawler.parsing.dates import find_dates, first_date, parse_date_value


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("2020年04月12日16:58", "2020-04-12T16:58:00+08:00", "minute"),
        ("2022-02-13 07:48:00", "2022-02-13T07:48:00+08:00", "second"),
        ("2022/02/13", "2022-02-13T00:00:00+08:00", "day"),
        ("2022.02.13", "2022-02-13T00:00:00+08:00", "day"),
        ("２０２２年０２月１３日０７：４８", "2022-02-13T07:48:00+08:00", "minute"),
        ("2022年2月3日 星期四", "2022-02-03T00:00:00+08:00", "day"),
        ("2022年02月13日（星期日） 09:57", "2022-02-13T09:57:00+08:00", "minute"),
        ("发布时间：2021-11-25 16:26:07 来源：太原晚报", "2021-11-25T16:26:07+08:00", "second"),
    ],
)
def test_datelines(text, iso, precision):
    found = first_date(text)
    assert found is not None
    assert (found.iso, found.precision) == (iso, precision)
    assert found.raw in text  # raw is the page's own text, full-width digits included


def test_an_explicit_offset_is_kept_as_the_instant_and_shown_in_beijing_time():
    assert parse_date_value("2019-12-10T07:57:40Z").iso == "2019-12-10T15:57:40+08:00"  # same instant, Beijing time
    assert parse_date_value("2019-12-10T07:57:40-05:00").iso == "2019-12-10T20:57:40+08:00"
    assert parse_date_value("2024-05-10T06:58:00+08:00").iso == "2024-05-10T06:58:00+08:00"


def test_impossible_dates_are_skipped():
    assert find_dates("2022年2月30日 与 2022年13月01日") == []
    assert first_date("2022年2月30日，2022年3月1日").iso == "2022-03-01T00:00:00+08:00"


def test_no_date():
    assert first_date("第12版 共3页 电话 12345678") is None
    assert parse_date_value("") is None


@pytest.mark.parametrize(
    ("text", "iso", "raw", "start"),
    [
        ("２０２２年０２月１３日 ０７：４８", "2022-02-13T07:48:00+08:00", "２０２２年０２月１３日 ０７：４８", 0),
        ("2022－02－13 07：48：09", "2022-02-13T07:48:09+08:00", "2022－02－13 07：48：09", 0),
        ("x2022/02/13", "2022-02-13T00:00:00+08:00", "2022/02/13", 1),
    ],
)
def test_full_width_dates_keep_their_raw_text_and_position(text, iso, raw, start):
    found = first_date(text)
    assert (found.iso, found.raw, found.start) == (iso, raw, start)


def test_a_year_glued_to_other_digits_is_no_date():
    assert first_date("12020年1月1日") is None
    assert first_date("编号20201年1月1日") is None
