"""The flask commands: taxonomy, demo data and accounts."""
import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Person, PersonSkill, Project, Skill, SkillArea, User


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_load_taxonomy_is_idempotent_and_complete(runner):
    result = runner.invoke(args=["load-taxonomy"])
    assert result.exit_code == 0, result.output
    skills, areas = _count(Skill), _count(SkillArea)
    assert skills >= 200 and areas >= 12
    digcomp = db.session.scalars(sa.select(Skill.code).where(Skill.code.like("DIGCOMP-%"))).all()
    assert len(digcomp) == 21
    assert runner.invoke(args=["load-taxonomy"]).exit_code == 0
    assert (_count(Skill), _count(SkillArea)) == (skills, areas)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Skill).where(
        (Skill.name_it == "") | (Skill.name_en == ""))) == 0


def test_broken_taxonomy_file_is_refused_with_a_clear_message(runner, tmp_path, monkeypatch):
    from skillmap.services import taxonomy

    (tmp_path / "skill_areas.csv").write_text("code,parent_code,name_it,name_en,description_it,"
                                               "description_en\nA,,Area,Area,,\n", encoding="utf-8")
    (tmp_path / "skills.csv").write_text("code,area_code,name_it,name_en,description_it,"
                                          "description_en,aliases,esco_uri\n"
                                          "S1,A,Uno,One,,,,\nS2,NOPE,Due,Two,,,,\n",
                                          encoding="utf-8")
    monkeypatch.setattr(taxonomy, "SEED_DIR", tmp_path)
    result = runner.invoke(args=["load-taxonomy"])
    assert result.exit_code != 0 and "NOPE" in result.output
    assert _count(Skill) == 0  # nothing half-loaded


def test_seed_demo_is_deterministic_and_idempotent(runner):
    runner.invoke(args=["load-taxonomy"])
    result = runner.invoke(args=["seed-demo", "--employees", "30", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "dipendente@demo.coop" in result.output
    people, rows, projects = _count(Person), _count(PersonSkill), _count(Project)
    assert people == 30 and rows > 30 and projects == 4
    assert {u.role for u in db.session.scalars(sa.select(User))} == {
        "employee", "coordinator", "manager", "admin"}
    assert all(u.person_id for u in db.session.scalars(sa.select(User)))
    runner.invoke(args=["seed-demo", "--employees", "30", "--seed", "7"])
    assert (_count(Person), _count(PersonSkill), _count(Project)) == (people, rows, projects)
    names = db.session.scalars(sa.select(Person.email).order_by(Person.id).limit(3)).all()
    assert all(n.endswith("@demo.coop") for n in names)


def test_demo_people_follow_their_roles(runner):
    """Two people with the same job title share far more skills than two random people."""
    runner.invoke(args=["load-taxonomy"])
    runner.invoke(args=["seed-demo", "--employees", "60"])
    rows = db.session.execute(sa.select(Person.job_title, PersonSkill.person_id, Skill.code)
                              .join(PersonSkill, PersonSkill.person_id == Person.id)
                              .join(Skill, Skill.id == PersonSkill.skill_id)
                              .where(PersonSkill.level >= 1)).all()
    by_title: dict = {}
    for title, pid, code in rows:
        by_title.setdefault(title, {}).setdefault(pid, set()).add(code)
    title, group = max(by_title.items(), key=lambda kv: len(kv[1]))
    sets = list(group.values())
    assert len(sets) >= 2
    common = set.intersection(*sets[:2])
    assert common, f"two {title} share no skill"


@pytest.mark.parametrize("args,message", [
    (["seed-demo", "--employees", "2"], "2"),
    (["seed-demo", "--employees", "abc"], "abc"),
    (["create-user", "--email", "a@b.it", "--role", "root", "--password", "x" * 12], "root"),
    (["create-user", "--email", "a@b.it", "--role", "admin", "--password", "short"], "12"),
])
def test_bad_cli_arguments(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and message in result.output


def test_seed_demo_without_taxonomy_says_what_to_do(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "load-taxonomy" in result.output


def test_create_user(runner):
    result = runner.invoke(args=["create-user", "--email", "Nuovo@Coop.it", "--role", "manager",
                                 "--password", "una password lunga"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert user.email == "nuovo@coop.it" and user.role == "manager"
    again = runner.invoke(args=["create-user", "--email", "nuovo@coop.it", "--role", "manager",
                                "--password", "una password lunga"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_demo_growth_pool_names_real_skills():
    import csv

    from skillmap.services.demo import GROWTH_POOL
    from skillmap.services.taxonomy import SEED_DIR

    with open(SEED_DIR / "skills.csv", encoding="utf-8") as fh:
        codes = {row["code"] for row in csv.DictReader(fh)}
    assert set(GROWTH_POOL) <= codes


def test_demo_stray_skills_are_plausible_for_the_role(runner):
    """Profiles stay a little untidy (some people hold a skill their role does not list),
    but a stray skill comes from the role's unit, its areas or what anyone may hold: no
    machine learning for a care worker, no Git for a bricklayer."""
    from skillmap.services.demo import _read_roles, plausible_extras

    runner.invoke(args=["load-taxonomy"])
    assert runner.invoke(args=["seed-demo", "--employees", "120"]).exit_code == 0
    roles = _read_roles()
    codes = db.session.scalars(sa.select(Skill.code)).all()
    extras = plausible_extras(roles, codes)
    oss = "Operatore/Operatrice socio-sanitario/a (OSS)"
    builder = "Operaio/Operaia edile"
    ict = "Tecnico/Tecnica ICT e sviluppatore/sviluppatrice"
    assert not any(c.startswith("ICT-") for c in extras[oss] + extras[builder])
    assert "ICT-AI-ML" in extras[ict] and "TRV-PROBLEM-SOLVING" in extras[builder]
    own = roles.groupby("job_title_it")["skill_code"].agg(set)
    rows = db.session.execute(sa.select(Person.job_title, Skill.code)
                              .join(PersonSkill, PersonSkill.person_id == Person.id)
                              .join(Skill, Skill.id == PersonSkill.skill_id)
                              .where(PersonSkill.level >= 1)).all()
    strays = [(t, c) for t, c in rows if c not in own[t]]
    assert strays, "the demo lost its untidiness"
    assert all(c in extras[t] for t, c in strays), [s for s in strays if s[1] not in extras[s[0]]]


def test_demo_families_keep_it_and_care_apart(runner, app):
    """The issue's nonsense families: machine learning in social care, Git/SQL/cloud
    computing in the building trades. None of them sits there any more."""
    from skillmap import engine
    from skillmap.services.profile_data import profiles_frame

    runner.invoke(args=["load-taxonomy"])
    assert runner.invoke(args=["seed-demo", "--employees", "120"]).exit_code == 0
    org_id = db.session.scalar(sa.select(Person.organisation_id).limit(1))
    labels = engine.skill_families(profiles_frame(org_id), seed=0).labels
    by_code = {code: labels.get(sid) for sid, code in db.session.execute(
        sa.select(Skill.id, Skill.code)).all()}
    care = {by_code["SOC-PEI"], by_code["HEA-OSS-BASIC-CARE"]} - {None, -1, -2}
    building = {by_code["CON-MASONRY"], by_code["CON-SITE-SAFETY"]} - {None, -1, -2}
    assert care and building
    assert by_code.get("ICT-AI-ML") not in care
    for code in ("ICT-GIT", "ICT-SQL", "ICT-CLOUD"):
        assert by_code.get(code) not in building, code
