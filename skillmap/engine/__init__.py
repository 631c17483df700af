"""SkillMap's pure computation: pandas, scipy.sparse, networkx, scikit-learn.

No Flask, no SQLAlchemy, no I/O; inputs are never mutated. Every function
takes long-form profiles (``person``, ``skill``, ``level`` 0-5, optional
``wants_to_grow``); level 0 is a wish, never a held skill.
"""
from .families import (NOT_ENOUGH_DATA, TRANSVERSAL, SkillFamilies, placement_confidence,
                       skill_families)
from .gaps import skill_gaps
from .groups import PeopleGroups, people_groups
from .layout import family_payload, layout
from .model import EngineModel, prepare, update
from .recommend import recommend_skills
from .similar import similar_people
from .teams import TeamSuggestion, suggest_team, team_coverage

__all__ = [
    "NOT_ENOUGH_DATA",
    "TRANSVERSAL",
    "EngineModel",
    "PeopleGroups",
    "SkillFamilies",
    "TeamSuggestion",
    "family_payload",
    "layout",
    "people_groups",
    "placement_confidence",
    "prepare",
    "recommend_skills",
    "similar_people",
    "skill_families",
    "skill_gaps",
    "suggest_team",
    "team_coverage",
    "update",
]
