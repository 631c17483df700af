"""Training requirements are a hard constraint of the team suggestion."""
import doctest

import pandas as pd

from skillmap.engine import team_training
from skillmap.engine.team_training import suggest_team_trained
from skillmap.engine.teams import suggest_team

PROF = pd.DataFrame({
    "person": ["ann", "ann", "bob", "cat", "dan", "eve"],
    "skill": ["cook", "serve", "cook", "serve", "cook", "serve"],
    "level": [5, 5, 4, 4, 2, 2]})
REQ = pd.DataFrame({"skill": ["cook", "serve"], "min_level": [4, 4], "count": [1, 1]})


def test_without_constraints_ann_alone_covers_everything():
    assert suggest_team(PROF, REQ, 2).members == ["ann"]


def test_everyone_must_hold_it():
    tr = pd.DataFrame({"course": ["HACCP"], "min_members": [None]})
    hold = pd.DataFrame({"person": ["bob", "cat", "dan"], "course": "HACCP"})
    s = suggest_team_trained(PROF, REQ, 2, training=tr, holders=hold)
    assert sorted(s.members) == ["bob", "cat"] and s.coverage == 1.0
    row = s.training.iloc[0]
    assert row["met"] and sorted(row["holders"]) == ["bob", "cat"] and row["available"] == 3


def test_at_least_n_members_repairs_the_best_team():
    tr = pd.DataFrame({"course": ["PS"], "min_members": [1]})
    hold = pd.DataFrame({"person": ["eve", "dan"], "course": "PS"})
    s = suggest_team_trained(PROF, REQ, 2, training=tr, holders=hold)
    assert s.training.iloc[0]["met"]
    assert "ann" in s.members and ({"eve", "dan"} & set(s.members))
    # ann covers both skills; the second place goes to a first-aider
    assert s.coverage == 1.0


def test_nobody_available_holds_it_is_reported():
    tr = pd.DataFrame({"course": ["RLS", "PS"], "min_members": [None, 1]})
    hold = pd.DataFrame({"person": ["zed"], "course": "PS"})
    s = suggest_team_trained(PROF, REQ, 2, training=tr, holders=hold)
    assert s.members == [] and list(s.training["available"]) == [0, 0]
    assert not s.training["met"].all()


def test_excluded_holders_do_not_count():
    tr = pd.DataFrame({"course": ["PS"], "min_members": [1]})
    hold = pd.DataFrame({"person": ["eve"], "course": "PS"})
    s = suggest_team_trained(PROF, REQ, 2, training=tr, holders=hold, exclude=["eve"])
    assert "eve" not in s.members and not s.training.iloc[0]["met"]
    assert s.training.iloc[0]["available"] == 0


def test_docstring_examples_hold():
    result = doctest.testmod(team_training)
    assert result.attempted >= 2 and result.failed == 0
