"""Suggested teams: the database turned into the team builder's input, and saving a team.

The engine (``skillmap.engine.teams``) sees person and skill ids only; this
module reads them with SQL into DataFrames, calls ``suggest_team`` /
``team_coverage`` and turns the answer back into rows the page can show.
Suggestions are advice: a coordinator decides and invites.
"""
from __future__ import annotations

import hashlib

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from skillmap import clock
from skillmap.engine.team_training import suggest_team_trained, training_table
from skillmap.engine.teams import UnitCapExceeded, suggest_team, team_coverage
from skillmap.extensions import db
from skillmap.models import Person, PersonSkill, Project, Skill, TeamMember
from skillmap.services import audit, versions
from skillmap.services.errors import ConflictError
from skillmap.services.profile_data import NO_UNIT, people_table, profiles_frame

SEED = 0
ALTERNATIVES = 2
ACTIVE_MEMBER = ("invited", "accepted")


class TeamError(ValueError):
    """Options or a team the builder refuses; the subclass says why, ``field`` names the
    form field it belongs to."""

    field: str | None = None

    def __init__(self, field: str | None = None):
        super().__init__(type(self).__name__)
        if field is not None:
            self.field = field


class UnknownPerson(TeamError):
    """Someone who is not in the project's organisation."""


class PinAndExclude(TeamError):
    field = "excludes"


class TooManyPins(TeamError):
    field = "pins"


class TeamTooLarge(TeamError):
    field = "team"


class UnitCap(TeamError):
    """The kept people already break the per-unit limit."""

    field = "max_per_unit"


class NoRequirements(TeamError):
    """The project lists no required skills yet."""


class MentorNotInTeam(TeamError):
    field = "members"


class NotStaffing(TeamError):
    """Invitations are sent only while a project looks for a team or is active."""

    field = "members"


class Unsolvable(TeamError):
    """The engine refused these options for another reason."""


class StaleTeam(ConflictError):
    """The team changed after the page it was chosen on was drawn: nothing was saved."""


@dataclass
class Options:
    """What the coordinator asked for on the team page."""

    pins: list[int] = field(default_factory=list)
    excludes: list[int] = field(default_factory=list)
    max_per_unit: int | None = None
    growth_places: int = 0
    widen: bool = False
    team: list[int] | None = None   # an explicit team (after a swap): scored, not searched


@dataclass
class EngineInput:
    profiles: pd.DataFrame      # person, skill, level, wants_to_grow
    requirements: pd.DataFrame  # index = requirement id; skill, min_level, weight, count
    candidates: list[int]
    units: pd.Series | None     # person -> unit id (only with a per-unit limit)


# ----------------------------------------------------------------- database -> engine

def requirements_frame(project: Project) -> pd.DataFrame:
    """The project's requirements as the engine wants them (from the rows the page shows
    too: one query with their skills)."""
    rows = sorted(project.requirements, key=lambda r: r.id)
    return pd.DataFrame({"skill": np.array([r.skill_id for r in rows], dtype=np.int64),
                         "min_level": np.array([r.min_level for r in rows], dtype=np.int64),
                         "weight": np.array([r.weight for r in rows], dtype=np.int64),
                         "count": np.array([r.count for r in rows], dtype=np.int64)},
                        index=pd.Index(np.array([r.id for r in rows], dtype=np.int64), name="id"))


def candidate_ids(project: Project, widen: bool = False) -> list[int]:
    """People who may be suggested: by default those with hours to give and still available
    when the project starts; ``widen`` takes everyone in the organisation."""
    org = project.organisation_id
    start = None if widen else (project.start_date or clock.today())

    def load() -> tuple[int, ...]:
        # from the one people table, patched after each edit: no query of 10,000 rows
        people = people_table(org)
        if start is None:
            return tuple(int(p) for p in people["person"])
        until = people["available_until"]
        ok = (people["hours"].to_numpy() > 0) & (
            until.isna().to_numpy() | (until >= pd.Timestamp(start)).to_numpy())
        return tuple(int(p) for p in people["person"].to_numpy()[ok])
    # asking again with other options, or for another project, reads nothing
    return list(versions.memo(org, "team_candidates", (start,), load))


def units_series(organisation_id: int) -> pd.Series:
    """person -> unit id, for people who have a unit (from the versioned people table)."""
    people = people_table(organisation_id)
    has_unit = people["unit_id"].to_numpy() != NO_UNIT
    return pd.Series(people["unit_id"].to_numpy()[has_unit],
                     index=people["person"].to_numpy()[has_unit])


def engine_input(project: Project, options: Options) -> EngineInput:
    req = requirements_frame(project)
    fixed = list(options.team or options.pins)
    profiles = profiles_frame(project.organisation_id, skill_ids=req["skill"].tolist(),
                              people=fixed)
    # the engine wants every pinned person in the profiles: someone with an empty
    # profile gets one zero-credit row of a required skill
    empty = [p for p in fixed if p not in set(profiles["person"])]
    if empty and len(req):
        pad = pd.DataFrame({"person": empty, "skill": req["skill"].iloc[0], "level": 0,
                            "wants_to_grow": False})
        profiles = pd.concat([profiles, pad], ignore_index=True)
    # the units matter only with a per-unit limit
    units = units_series(project.organisation_id) if options.max_per_unit else None
    return EngineInput(profiles, req, candidate_ids(project, options.widen), units)


# ----------------------------------------------------------------- current team

def current_team(project: Project) -> dict:
    """Members by status, and the places still open (team size minus invited and accepted)."""
    rows = list(db.session.scalars(sa.select(TeamMember).where(
        TeamMember.project_id == project.id).order_by(TeamMember.created_at)))
    by = {s: [m for m in rows if m.status == s]
          for s in ("interested", "invited", "accepted", "declined")}
    taken = sum(m.role != "growth" for m in by["invited"] + by["accepted"])
    return {**by, "open_places": max(0, project.team_size - taken)}


def default_options(project: Project, team: dict | None = None) -> Options:
    """A first visit: invited and accepted members stay, people who declined are left out
    (``team``: :func:`current_team`, when the caller has it already)."""
    team = current_team(project) if team is None else team
    return Options(pins=[m.person_id for m in team["accepted"] + team["invited"]
                         if m.role != "growth"],
                   excludes=[m.person_id for m in team["declined"]])


# ----------------------------------------------------------------- suggestion

def _check(project: Project, options: Options, org_people: set[int]) -> None:
    for name, ids in (("pins", options.pins), ("excludes", options.excludes),
                      ("team", options.team or [])):
        if set(ids) - org_people:
            raise UnknownPerson(name)
    if set(options.pins) & set(options.excludes):
        raise PinAndExclude()
    if len(set(options.pins)) > project.team_size:
        raise TooManyPins()
    if options.team is not None and len(set(options.team)) > project.team_size:
        raise TeamTooLarge()


def people_named(organisation_id: int, ids) -> list[Person]:
    """The people of the organisation among ``ids``, by name (for the options form)."""
    ids = list(set(ids))
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Person).where(
        Person.organisation_id == organisation_id, Person.id.in_(ids))
        .order_by(Person.last_name, Person.first_name)))


def _people(ids) -> dict[int, Person]:
    ids = list(set(ids))
    if not ids:
        return {}
    # with their units (the page shows them): one query, not one per unit
    return {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(ids))
                                                .options(sa.orm.joinedload(Person.unit)))}


def suggest(project: Project, options: Options, viewer=None, team: dict | None = None) -> dict:
    """The suggested (or hand-made) team with coverage, reasons, gaps and alternatives.

    ``team``: :func:`current_team`, when the caller has it already. With ``viewer``,
    everyone the suggestion names gets a ``team.suggested`` row in the audit trail (one
    bulk insert; the caller commits, as for every service).
    """
    view = _suggest(project, options, current_team(project) if team is None else team)
    if viewer is not None:
        audit.record_disclosures(project.organisation_id, viewer.id, "team.suggested",
                                 view["named_ids"], context=json.dumps(
                                     {"via": "team", "project_id": project.id}),
                                 skip_person_id=viewer.person_id)
    return view


def _suggest(project: Project, options: Options, team: dict) -> dict:
    asked = set(options.pins) | set(options.excludes) | set(options.team or [])
    org_people = set(db.session.connection().execute(sa.select(Person.id).where(
        Person.organisation_id == project.organisation_id, Person.id.in_(asked))).scalars()
                     ) if asked else set()
    _check(project, options, org_people)
    data = engine_input(project, options)   # from the versioned tables: a few ms
    if not len(data.requirements):
        raise NoRequirements()
    # the same question on the same data gets the same answer: the engine runs once per
    # distinct input, so an edit elsewhere in the organisation (another skill, someone who
    # is not a candidate) does not make the next view solve again
    training, holders = _training_input(project)
    key = (project.id, project.team_size, _fingerprint(data, options, training, holders))
    result = versions.memo(project.organisation_id, "team_suggestion", key,
                           lambda: _solve(project, options, data, training, holders), version=0)
    view = _view(project, options, data, result, team)
    view["training"] = _training_view(project, result, holders, data.candidates)
    return view


def _fingerprint(data: EngineInput, options: Options, *frames: pd.DataFrame) -> str:
    """A digest of everything the engine is given (``frames``: the training asked for
    and who holds it)."""
    h = hashlib.blake2b(digest_size=20)
    for frame in frames:
        h.update(repr(list(frame.columns)).encode())
        h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    for col in ("person", "skill", "level", "wants_to_grow"):
        h.update(np.ascontiguousarray(data.profiles[col].to_numpy()).tobytes())
    req = data.requirements
    h.update(np.ascontiguousarray(req.index.to_numpy()).tobytes())
    for col in ("skill", "min_level", "weight", "count"):
        h.update(np.ascontiguousarray(req[col].to_numpy()).tobytes())
    h.update(np.asarray(data.candidates, dtype=np.int64).tobytes())
    if data.units is not None:
        h.update(np.asarray(data.units.index, dtype=np.int64).tobytes())
        h.update(np.asarray(data.units.to_numpy(), dtype=np.int64).tobytes())
    h.update(repr((options.pins, options.excludes, options.max_per_unit, options.growth_places,
                   options.widen, options.team, data.units is None)).encode())
    return h.hexdigest()


def _solve(project: Project, options: Options, data: EngineInput, training: pd.DataFrame,
           holders: pd.DataFrame):
    common = dict(candidates=data.candidates, exclude=options.excludes, seed=SEED,
                  max_per_unit=options.max_per_unit,
                  units=data.units,
                  growth_places=options.growth_places)
    try:
        if options.team is not None:   # score the coordinator's own team
            team = list(dict.fromkeys(options.team))
            result = suggest_team(data.profiles, data.requirements, max(1, len(team)),
                                  must_include=team, **common)
            result.coverage = team_coverage(data.profiles, data.requirements, team)
            if len(training):
                result.training = training_table(team, training, holders, len(team),
                                                 set(data.candidates) - set(options.excludes))
        elif len(training):  # courses valid until the end: a hard constraint
            result = suggest_team_trained(data.profiles, data.requirements, project.team_size,
                                          training=training, holders=holders,
                                          must_include=options.pins, alternatives=ALTERNATIVES,
                                          **common)
        else:
            result = suggest_team(data.profiles, data.requirements, project.team_size,
                                  must_include=options.pins, alternatives=ALTERNATIVES, **common)
    except UnitCapExceeded as exc:
        raise UnitCap() from exc
    except ValueError as exc:
        raise Unsolvable() from exc
    return result


def _training_input(project: Project) -> tuple[pd.DataFrame, pd.DataFrame]:
    from skillmap.services import project_training

    training = project_training.needs_frame(project)
    holders = project_training.holders_frame(project.organisation_id, training["course"].tolist(),
                                             project_training.valid_until(project))
    return training, holders


def _training_view(project: Project, result, holders: pd.DataFrame, candidates) -> list[dict]:
    """Which member covers which training requirement; who else holds it."""
    from skillmap.models import TrainingCourse
    from skillmap.services import project_training

    table = getattr(result, "training", None)
    if table is None or not len(table):
        return []
    people = _people([p for ps in table["holders"] for p in ps])
    pool = set(candidates)
    out = []
    for row in table.to_dict("records"):
        all_holders = set(holders.loc[holders["course"] == row["course"], "person"])
        out.append({"course": db.session.get(TrainingCourse, row["course"]),
                    "min_members": row["min_members"], "needed": row["needed"],
                    "holders": [people[p] for p in row["holders"]], "met": row["met"],
                    "available": row["available"],
                    "elsewhere": len(all_holders - pool),
                    "until": project_training.valid_until(project)})
    return out


def _view(project, options, data, result, team: dict) -> dict:
    reqs = {r.id: r for r in project.requirements}
    skills = {r.skill_id: r.skill for r in project.requirements}
    interested = {m.person_id for m in team["interested"]}
    status = {m.person_id: m.status for rows in team.values() if isinstance(rows, list)
              for m in rows}
    alt_ids = [p for alt in result.alternatives for p in alt.members]
    growth_ids = [g["person"] for g in result.growth] + [g["mentor"] for g in result.growth]
    uncovered_skills = result.uncovered["skill"].tolist() if len(result.uncovered) else []
    trainees = _training_candidates(project.organisation_id, uncovered_skills)
    holders = _holders_anywhere(project.organisation_id, uncovered_skills)
    people = _people(list(result.members) + alt_ids + growth_ids + list(interested)
                     + options.excludes + [p for ps in trainees.values() for p in ps])

    members = []
    need_hours = project.hours_per_month or 0
    for pid in result.members:
        ex = result.explanations.get(pid, {"covers": [], "loss": 0.0})
        person = people[pid]
        members.append({"person": person, "loss": ex["loss"],
                        # the share of the team's coverage this person brings
                        "share": ex["loss"] / result.coverage if result.coverage else 0.0,
                        "short_hours": person.availability_hours < need_hours,
                        "covers": [(skills[s], lvl, need, credit)
                                   for s, lvl, need, credit in ex["covers"]],
                        "interested": pid in interested, "status": status.get(pid),
                        "pinned": pid in options.pins})
    per_req = []
    for rid, row in result.per_requirement.iterrows():
        per_req.append({"requirement": reqs[rid], "skill": skills[row["skill"]],
                        "coverage": float(row["coverage"]),
                        "covered_by": [(people[p], lvl, credit) for p, lvl, credit in row["covered_by"]]})
    mine = set(result.members)
    alternatives = [{"members": [people[p] for p in alt.members], "coverage": alt.coverage,
                     "out": [people[p] for p in result.members if p not in set(alt.members)],
                     "in": [people[p] for p in alt.members if p not in mine],
                     "ids": alt.members} for alt in result.alternatives]
    uncovered = [{"skill": skills[s], "trainees": [people[p] for p in trainees.get(s, [])],
                  "holders_elsewhere": holders.get(s, 0)} for s in uncovered_skills]
    growth = [{"person": people[g["person"]], "skill": skills[g["skill"]], "level": g["level"],
               "min_level": g["min_level"], "mentor": people[g["mentor"]],
               "mentor_level": g["mentor_level"]} for g in result.growth]
    # people one might swap in: alternatives, interested and growth candidates not in the team
    bench = [people[p] for p in dict.fromkeys(alt_ids + list(interested) + growth_ids)
             if p not in mine and p not in set(options.excludes)]
    return {"coverage": result.coverage, "members": members, "per_requirement": per_req,
            "alternatives": alternatives, "uncovered": uncovered, "growth": growth,
            "bench": bench, "interested": [people[p] for p in interested],
            "others": [people[p] for p in interested if p not in mine],
            "excluded": [people[p] for p in options.excludes if p in people],
            "explicit": options.team is not None, "candidates": len(data.candidates),
            "named_ids": sorted(people)}


def search_eligible(project: Project, query: str, *, widen: bool = False,
                    leave_out=(), limit: int = 20) -> list[Person]:
    """People who could join the team whose name, or one of whose held skills, matches
    ``query``: the coordinator's own idea for a swap, not only the engine's."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    pattern = f"%{query.lower()}%"
    eligible = set(candidate_ids(project, widen)) - set(leave_out)
    if not eligible:
        return []
    name = sa.func.lower(Person.first_name + " " + Person.last_name)
    has_skill = (sa.select(PersonSkill.id).join(Skill, Skill.id == PersonSkill.skill_id)
                 .where(PersonSkill.person_id == Person.id, PersonSkill.level >= 1,
                        sa.or_(sa.func.lower(Skill.name_it).like(pattern),
                               sa.func.lower(Skill.name_en).like(pattern))).exists())
    return list(db.session.scalars(
        sa.select(Person).where(Person.id.in_(eligible), sa.or_(name.like(pattern), has_skill))
        .order_by(Person.last_name, Person.first_name).limit(limit)))


def _training_candidates(organisation_id: int, skill_ids) -> dict[int, list[int]]:
    """People who want to grow in each skill (for requirements nobody covers)."""
    if not skill_ids:
        return {}
    rows = db.session.execute(
        sa.select(PersonSkill.skill_id, PersonSkill.person_id)
        .join(Person, Person.id == PersonSkill.person_id)
        .where(Person.organisation_id == organisation_id, PersonSkill.skill_id.in_(skill_ids),
               PersonSkill.wants_to_grow.is_(True))
        .order_by(PersonSkill.level.desc(), Person.last_name)).all()
    out: dict[int, list[int]] = {}
    for skill_id, person_id in rows:
        out.setdefault(skill_id, []).append(person_id)
    return out


def _holders_anywhere(organisation_id: int, skill_ids) -> dict[int, int]:
    """How many people of the whole organisation hold each skill (outside the candidates)."""
    if not skill_ids:
        return {}
    return dict(db.session.execute(
        sa.select(PersonSkill.skill_id, sa.func.count(PersonSkill.id))
        .join(Person, Person.id == PersonSkill.person_id)
        .where(Person.organisation_id == organisation_id, PersonSkill.skill_id.in_(skill_ids),
               PersonSkill.level >= 1).group_by(PersonSkill.skill_id)).all())


# ----------------------------------------------------------------- saving

def lock_team(project_id: int, seen_version: int | None = None, *, bump: bool = True) -> bool:
    """Take the project's row for this transaction before changing its team.

    ``UPDATE project SET team_version = team_version + 1 WHERE id = :id [AND team_version =
    :seen]``: on PostgreSQL the row lock makes every other change of this team wait for our
    commit (and then find a different version); on SQLite the statement takes the database's
    write lock. Either way the members read after this call stay as read until the commit,
    whatever the isolation level. ``bump=False`` locks without changing the version (interest,
    which does not change the team). Returns False when ``seen_version`` is no longer current.
    """
    table = Project.__table__
    stmt = (sa.update(table).where(table.c.id == project_id)
            .values(team_version=table.c.team_version + (1 if bump else 0)))
    if seen_version is not None:
        stmt = stmt.where(table.c.team_version == seen_version)
    return db.session.execute(stmt).rowcount == 1


def team_rows(project_id: int) -> list[TeamMember]:
    """The project's members as the database has them now (not as this session remembers)."""
    return list(db.session.scalars(
        sa.select(TeamMember).where(TeamMember.project_id == project_id)
        .execution_options(populate_existing=True)))


def withdrawn_by(project: Project, members: list[int],
                 growth: list[tuple[int, int]]) -> list[Person]:
    """The people whose pending invitation saving this team would withdraw (the same rule
    as :func:`save_team`; accepted members always stay): the page asks before saving."""
    keep = set(members) | {p for p, _ in growth}
    gone = [tm.person_id for tm in team_rows(project.id)
            if tm.person_id not in keep and tm.status == "invited"
            and (tm.role != "growth" or growth)]
    return sorted(_people(gone).values(), key=lambda p: (p.last_name, p.first_name))


def save_team(project: Project, members: list[int], growth: list[tuple[int, int]], actor, *,
              seen_version: int) -> int:
    """Invite ``members`` (and growth places ``(person, mentor)``); returns how many were invited.

    Accepted members stay; invitations not in the new team are withdrawn (pending growth
    places only when new growth places are saved); someone who was only interested, or
    had declined, is invited again. Growth places are outside the team size.

    ``seen_version`` is the ``team_version`` the team was chosen from: if the team changed
    since (another save, an answer), :class:`StaleTeam` is raised and nothing is saved, so
    two coordinators' saves never mix. A saved team adds 1 to the version.
    """
    members = list(dict.fromkeys(members))
    growth = [(p, m) for p, m in dict(growth).items() if p not in members]
    org_people = set(db.session.scalars(sa.select(Person.id).where(
        Person.organisation_id == project.organisation_id)))
    if not members or set(members) - org_people or {p for p, _ in growth} - org_people:
        raise UnknownPerson("members")
    if len(members) > project.team_size:
        raise TeamTooLarge("members")
    if any(m not in members for _, m in growth):
        raise MentorNotInTeam()
    if project.status not in ("staffing", "active"):
        raise NotStaffing()
    if not lock_team(project.id, seen_version):
        db.session.rollback()
        raise StaleTeam()
    mentors = {m for _, m in growth}
    roles = {p: ("mentor" if p in mentors else "member") for p in members}
    roles.update({p: "growth" for p, _ in growth})
    existing = {m.person_id: m for m in team_rows(project.id)}
    invited = 0
    newly_invited = []
    for pid, role in roles.items():
        tm = existing.get(pid)
        if tm is None:
            tm = TeamMember(project_id=project.id, person_id=pid)
            db.session.add(tm)
        if tm.status != "accepted":
            if tm.status != "invited":
                invited += 1
                newly_invited.append(pid)
            tm.status = "invited"
            tm.responded_at = None
        tm.role = role
    for pid, tm in existing.items():   # withdraw invitations left out of the new team
        if pid not in roles and tm.status == "invited" and (tm.role != "growth" or growth):
            db.session.delete(tm)
    audit.record(project.organisation_id, actor.id, "team.saved",
                 detail=f"project {project.id}: members {sorted(members)}, "
                        f"growth {sorted(growth)}")
    from skillmap.services import notify

    notify.team_invited(project, newly_invited)
    try:
        db.session.flush()
    except (sa.exc.IntegrityError, StaleDataError) as exc:
        # a row of this team was added or removed by a request that did not lock the project
        db.session.rollback()
        raise StaleTeam() from exc
    return invited


def person_profile(person: Person, viewer, project: Project) -> list[tuple[PersonSkill, Skill]]:
    """Another person's skills, opened from a team page: recorded in the audit trail (the
    view commits it: the one write of that GET)."""
    rows = db.session.execute(
        sa.select(PersonSkill, Skill).join(Skill, Skill.id == PersonSkill.skill_id)
        .where(PersonSkill.person_id == person.id)
        .order_by(PersonSkill.level.desc(), Skill.name_it)).all()
    audit.record(person.organisation_id, viewer.id, "profile.viewed",
                     subject_person_id=person.id, detail=f"from team page of project {project.id}")
    return [tuple(r) for r in rows]

