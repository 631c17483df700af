"""Training status at the edges of the window, leap years, rules and unit coverage."""
from datetime import date

import pandas as pd
import pytest

from skillmap.engine.training import (
    add_months,
    coverage,
    expiry_date,
    status_on,
    training_status,
)

TODAY = date(2026, 6, 15)


@pytest.mark.parametrize("expires_on, expected", [
    (date(2026, 6, 15), "expiring"),   # expires today: still valid today, act now
    (date(2026, 6, 14), "expired"),    # expired yesterday
    (date(2026, 8, 14), "expiring"),   # exactly 60 days away: inside the window
    (date(2026, 8, 15), "valid"),      # 61 days away
    (date(2025, 1, 1), "expired"),
    (None, "valid"),                   # a course that never expires
])
def test_status_at_the_window_edges(expires_on, expected):
    assert status_on(expires_on, TODAY, 60) == expected


def test_window_is_configurable():
    assert status_on(date(2026, 8, 14), TODAY, 30) == "valid"
    assert status_on(date(2026, 7, 15), TODAY, 30) == "expiring"


def test_missing_and_not_required():
    assert status_on(None, TODAY, done=False, required=True) == "missing"
    assert status_on(None, TODAY, done=False, required=False) == "not_required"


@pytest.mark.parametrize("done, months, expected", [
    (date(2024, 2, 29), 12, date(2025, 2, 28)),   # leap day + 12 months: end of February
    (date(2024, 2, 29), 48, date(2028, 2, 29)),   # + 4 years: leap again
    (date(2023, 2, 28), 12, date(2024, 2, 28)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),
    (date(2021, 11, 30), 36, date(2024, 11, 30)),
])
def test_expiry_dates_and_leap_years(done, months, expected):
    assert add_months(done, months) == expected
    assert expiry_date(done, months) == expected


def test_no_validity_never_expires():
    assert expiry_date(date(2020, 1, 1), None) is None


def test_leap_day_course_expires_on_the_28th():
    exp = expiry_date(date(2024, 2, 29), 12)
    assert status_on(exp, date(2025, 2, 28)) == "expiring"
    assert status_on(exp, date(2025, 3, 1)) == "expired"


def _people():
    return pd.DataFrame([
        {"person": 1, "job_title": "Cuoco", "work_relationship": "dipendente", "unit": 10,
         "roles": set()},
        {"person": 2, "job_title": "Educatore", "work_relationship": "socio_lavoratore",
         "unit": 10, "roles": {"first_aid"}},
        {"person": 3, "job_title": "Educatore", "work_relationship": "dipendente", "unit": 20,
         "roles": {"first_aid"}},
    ])


def test_rules_say_who_needs_what_and_status_is_most_urgent_first():
    rules = pd.DataFrame([
        {"course": "HACCP", "job_title": "Cuoco", "work_relationship": None, "unit": None,
         "safety_role": None},
        {"course": "PS", "job_title": None, "work_relationship": None, "unit": None,
         "safety_role": "first_aid"},
        {"course": "GEN", "job_title": None, "work_relationship": None, "unit": None,
         "safety_role": None},
    ])
    records = pd.DataFrame([
        {"person": 1, "course": "HACCP", "completed_on": date(2020, 1, 1),
         "expires_on": date(2023, 1, 1)},
        {"person": 2, "course": "PS", "completed_on": date(2024, 1, 1),
         "expires_on": date(2026, 7, 1)},
        {"person": 3, "course": "PS", "completed_on": date(2025, 1, 1),
         "expires_on": date(2028, 1, 1)},
        {"person": 3, "course": "GEN", "completed_on": date(2025, 1, 1), "expires_on": None},
        # an older record of the same course does not count
        {"person": 1, "course": "GEN", "completed_on": date(2010, 1, 1), "expires_on": None},
    ])
    out = training_status(_people(), rules, records, TODAY, 60)
    got = {(r.person, r.course): r.status for r in out.itertuples()}
    assert got == {(1, "HACCP"): "expired", (2, "PS"): "expiring", (3, "PS"): "valid",
                   (3, "GEN"): "valid", (1, "GEN"): "valid", (2, "GEN"): "missing"}
    assert list(out["status"])[:2] == ["expired", "missing"]
    assert out.loc[(out.person == 2) & (out.course == "PS"), "days_left"].item() == 16


def test_rules_with_several_criteria_all_must_match():
    rules = pd.DataFrame([{"course": "X", "job_title": "Educatore", "work_relationship": None,
                           "unit": 20, "safety_role": None}])
    out = training_status(_people(), rules, pd.DataFrame(), TODAY)
    assert list(zip(out.person, out.status)) == [(3, "missing")]


def test_coverage_flags_a_unit_whose_only_first_aider_expires_soon():
    people = pd.DataFrame({"person": [1, 2, 3], "unit": [10, 10, 20]})
    courses = pd.DataFrame({"course": ["PS", "GEN"], "safety_role": ["first_aid", None]})
    records = pd.DataFrame([
        {"person": 2, "course": "PS", "completed_on": date(2023, 7, 5),
         "expires_on": date(2026, 7, 5)},   # 20 days after TODAY
        {"person": 3, "course": "PS", "completed_on": date(2025, 1, 1),
         "expires_on": date(2028, 1, 1)},
        {"person": 1, "course": "GEN", "completed_on": date(2025, 1, 1), "expires_on": None},
    ])
    minimums = pd.DataFrame({"unit": [10, 20], "role": ["first_aid", "first_aid"],
                             "minimum": [1, 1]})
    now = coverage(people, records, courses, minimums, TODAY, 60).set_index("unit")
    assert now.loc[10, "valid"] == 1 and now.loc[10, "valid_later"] == 0
    assert bool(now.loc[10, "flagged"]) and not bool(now.loc[20, "flagged"])
    # on a future date the first-aider of unit 10 is gone
    later = coverage(people, records, courses, minimums, date(2026, 7, 6), 0).set_index("unit")
    assert later.loc[10, "valid"] == 0 and later.loc[10, "holders"] == []
    # a course done after the chosen date does not count yet
    before = coverage(people, records, courses, minimums, date(2024, 12, 31), 0).set_index("unit")
    assert before.loc[20, "valid"] == 0


def test_docstring_examples_hold():
    import doctest

    from skillmap.engine import training

    result = doctest.testmod(training)
    assert result.attempted >= 5 and result.failed == 0
