"""Importing skills from ESCO's CSV download: match by URI, then by name or alias; add,
update or leave; all or nothing; exit statuses 0/1/2 like the people import."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent, Organisation, Skill, SkillArea

HEADER = ["conceptType", "conceptUri", "skillType", "reuseLevel", "preferredLabel",
          "altLabels", "hiddenLabels", "status", "modifiedDate", "scopeNote", "definition",
          "inScheme", "description"]
U = "http://data.europa.eu/esco/skill/"
PY = U + "ccd0a1d9-afda-43d9-b901-96344886e14d"
FIRST = U + "0a5e6b7c-1111-4a2b-9c3d-000000000001"
NEW1 = U + "0a5e6b7c-2222-4a2b-9c3d-000000000002"
NEW2 = U + "0a5e6b7c-3333-4a2b-9c3d-000000000003"


def esco_csv(rows: list[dict]) -> str:
    """A file the way ESCO writes it: comma-separated, every column, labels one a line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({"conceptType": "KnowledgeSkillCompetence", "skillType":
                         "skill/competence", "reuseLevel": "sector-specific",
                         "status": "released", "modifiedDate": "2023-11-10T10:00:00.000Z",
                         "inScheme": "http://data.europa.eu/esco/concept-scheme/member-skills",
                         **row})
    return out.getvalue()


def _rows():
    return [
        # matches ICT-PY by its alias "python": keeps its names, gets the URI and aliases
        {"conceptUri": PY, "preferredLabel": "Python",
         "altLabels": "programmazione in Python\nlinguaggio Python",
         "description": "Tecniche e principi dello sviluppo software in Python."},
        # matches CARE-FIRST by its Italian name: gets the URI; its description was empty
        {"conceptUri": FIRST, "preferredLabel": "primo soccorso",
         "altLabels": "BLSD", "description": "Prestare le prime cure."},
        # new skills
        {"conceptUri": NEW1, "preferredLabel": "gestire i turni di lavoro",
         "altLabels": "pianificare i turni\norganizzare i turni", "skillType": "skill/competence",
         "description": "Pianificare i turni del personale."},
        {"conceptUri": NEW2, "preferredLabel": "normativa sulla privacy",
         "altLabels": "", "skillType": "knowledge", "description": ""},
    ]


@pytest.fixture
def esco_file(tmp_path):
    def write(rows, name="skills_it.csv"):
        path = tmp_path / name
        path.write_text(esco_csv(rows), encoding="utf-8")
        return str(path)
    return write


@pytest.fixture
def coop(app, taxonomy):
    """The organisation the command works on (ORGANISATION_NAME) holds the test taxonomy."""
    org = db.session.get(Organisation, taxonomy["ICT-PY"].organisation_id)
    app.config["ORGANISATION_NAME"] = org.name
    return org


def _skills():
    return {s.code: s for s in db.session.scalars(sa.select(Skill))}


def test_dry_run_reports_add_update_leave_and_writes_nothing(runner, coop, esco_file):
    before = db.session.scalar(sa.select(sa.func.count(Skill.id)))
    result = runner.invoke(args=["import-taxonomy", esco_file(_rows()), "--format", "esco",
                                 "--dry-run", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Skills: 2 new, 2 changed, 0 unchanged" in result.output
    assert "Dry run: nothing was written." in result.output
    assert db.session.scalar(sa.select(sa.func.count(Skill.id))) == before


def test_import_adds_updates_and_leaves_then_changes_nothing_the_second_time(
        runner, coop, esco_file, taxonomy):
    path = esco_file(_rows())
    result = runner.invoke(args=["import-taxonomy", path, "--format", "esco", "--language",
                                 "it", "--lang", "en"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    skills = _skills()
    py = skills["ICT-PY"]
    assert (py.name_it, py.name_en, py.esco_uri) == ("Programmazione Python",
                                                     "Python programming", PY)
    assert py.aliases == "python|programmazione in Python|linguaggio Python"
    assert py.description_it == "Tecniche e principi dello sviluppo software in Python."
    first = skills["CARE-FIRST"]
    assert first.esco_uri == FIRST and first.aliases == "BLSD"
    new = skills["ESCO-0A5E6B7C"]
    assert (new.name_it, new.name_en, new.esco_uri) == ("gestire i turni di lavoro",
                                                        "gestire i turni di lavoro", NEW1)
    assert new.aliases == "pianificare i turni|organizzare i turni"
    assert new.area.code == "ESCO" and new.active
    other = [s for c, s in skills.items() if c.startswith("ESCO-") and s.esco_uri == NEW2]
    assert len(other) == 1 and other[0].code.startswith("ESCO-0A5E6B7C")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "import.esco"))
    assert '"added": 2' in event.detail and '"updated": 2' in event.detail
    # the same file again: everything matched by URI, nothing changes
    result = runner.invoke(args=["import-taxonomy", path, "--format", "esco", "--lang", "en"])
    assert result.exit_code == 0 and "Skills: 0 new, 0 changed, 4 unchanged" in result.output
    assert db.session.scalar(sa.select(sa.func.count(SkillArea.id)).where(
        SkillArea.code == "ESCO")) == 1


def test_an_english_file_names_the_esco_skills_in_english(runner, coop, esco_file):
    runner.invoke(args=["import-taxonomy", esco_file(_rows()), "--format", "esco"])
    english = [{"conceptUri": NEW1, "preferredLabel": "manage work shifts",
                "altLabels": "plan shifts", "description": "Plan the staff's shifts."},
               {"conceptUri": PY, "preferredLabel": "Python (computer programming)",
                "altLabels": "", "description": "Software development in Python."}]
    result = runner.invoke(args=["import-taxonomy", esco_file(english, "skills_en.csv"),
                                 "--format", "esco", "--language", "en", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Skills: 0 new, 2 changed, 0 unchanged" in result.output
    db.session.expire_all()
    skills = _skills()
    new = skills["ESCO-0A5E6B7C"]
    assert (new.name_it, new.name_en) == ("gestire i turni di lavoro", "manage work shifts")
    assert new.description_en == "Plan the staff's shifts."
    py = skills["ICT-PY"]  # the cooperative's own names are kept
    assert (py.name_it, py.name_en) == ("Programmazione Python", "Python programming")
    assert "Python (computer programming)" in py.aliases.split("|")
    assert py.description_en == "Software development in Python."


@pytest.mark.parametrize("row, column, message", [
    ({"conceptUri": "", "preferredLabel": "x"}, "conceptUri", "The ESCO address is missing."),
    ({"conceptUri": "http://data.europa.eu/esco/occupation/0a5e6b7c-2222-4a2b-9c3d-00000000000"
                    "9", "preferredLabel": "x"}, "conceptUri", "is not the address of an ESCO"),
    ({"conceptUri": NEW2, "preferredLabel": ""}, "preferredLabel",
     "The preferred label is missing."),
    ({"conceptUri": U + "0a5e6b7c-4444-4a2b-9c3d-000000000004",
      "preferredLabel": "=HYPERLINK(1)"}, "preferredLabel", "spreadsheet formula"),
    ({"conceptUri": NEW1, "preferredLabel": "doppio"}, "conceptUri",
     "The same ESCO address is on row 4."),
    ({"conceptUri": U + "0a5e6b7c-5555-4a2b-9c3d-000000000005",
      "preferredLabel": "Primo soccorso"}, "preferredLabel",
     "Row 3 already matches the same skill"),
])
def test_one_bad_row_imports_nothing(runner, coop, esco_file, row, column, message):
    before = db.session.scalar(sa.select(sa.func.count(Skill.id)))
    path = esco_file(_rows() + [row])
    result = runner.invoke(args=["import-taxonomy", path, "--format", "esco", "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert f"row 6, column {column}: " in result.output and message in result.output
    assert "Nothing was imported." in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Skill.id))) == before
    assert db.session.scalar(sa.select(Skill.esco_uri).where(Skill.code == "ICT-PY")) is None
    # the valid rows can still go in on purpose
    result = runner.invoke(args=["import-taxonomy", path, "--format", "esco", "--only-valid",
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Imported the valid rows (4); skipped 1 with problems." in result.output


@pytest.mark.parametrize("content, status", [
    ("conceptUri,preferredLabel\n", 1),          # a header and no rows
    ("preferredLabel,description\nx,y\n", 1),    # the URI column is missing
    (b"\x00\x01\x02binary", 2),                  # not a table
])
def test_bad_files(runner, coop, tmp_path, content, status):
    path = tmp_path / "skills_it.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["import-taxonomy", str(path), "--format", "esco",
                                 "--lang", "en"])
    assert result.exit_code == status, result.output


def test_bad_arguments_exit_2(runner, coop, esco_file):
    path = esco_file(_rows())
    assert runner.invoke(args=["import-taxonomy", path]).exit_code == 2  # --format missing
    assert runner.invoke(args=["import-taxonomy", path, "--format", "xml"]).exit_code == 2
    assert runner.invoke(args=["import-taxonomy", "/nonexistent.csv", "--format",
                               "esco"]).exit_code == 2
    assert runner.invoke(args=["import-taxonomy", path, "--format", "esco", "--area",
                               "NOPE"]).exit_code == 2


def test_new_skills_go_to_the_chosen_area(runner, coop, esco_file, taxonomy):
    result = runner.invoke(args=["import-taxonomy", esco_file(_rows()), "--format", "esco",
                                 "--area", "care"])
    assert result.exit_code == 0, result.output
    new = db.session.scalar(sa.select(Skill).where(Skill.esco_uri == NEW1))
    assert new.area_id == taxonomy["CARE-HOME"].area_id
    assert db.session.scalar(sa.select(SkillArea).where(SkillArea.code == "ESCO")) is None


def test_a_name_of_a_skill_linked_to_another_concept_is_a_problem(runner, coop, esco_file,
                                                                   taxonomy):
    taxonomy["ICT-NET"].esco_uri = NEW2
    db.session.commit()
    row = {"conceptUri": U + "0a5e6b7c-6666-4a2b-9c3d-000000000006",
           "preferredLabel": "reti informatiche"}
    result = runner.invoke(args=["import-taxonomy", esco_file([row]), "--format", "esco",
                                 "--lang", "en"])
    assert result.exit_code == 1
    assert "which is linked to another ESCO concept (" + NEW2 + ")" in result.output


# ------------------------------------------------------------------ choosing the skill types

def _typed_rows():
    """_rows() with a knowledge row whose cell is a formula: only checked when kept."""
    rows = _rows()
    rows.append({"conceptUri": U + "0a5e6b7c-4444-4a2b-9c3d-000000000004",
                 "preferredLabel": "=diritto del lavoro", "skillType": "knowledge"})
    return rows


@pytest.mark.parametrize("value, expected", [
    ("skill/competence", "skill"), ("knowledge", "knowledge"), ("Knowledge", "knowledge"),
    ("http://data.europa.eu/esco/skill-type/knowledge", "knowledge"),
    ("http://data.europa.eu/esco/skill-type/skill", "skill"), ("conoscenza", "knowledge"),
    ("abilità/competenza", "skill"), ("", None), ("language", None)])
def test_skill_types_are_read(value, expected):
    from skillmap.services.esco_import import skill_type

    assert skill_type(value) == expected


def test_only_the_chosen_types_are_imported(runner, coop, esco_file):
    path = esco_file(_typed_rows())
    before = db.session.scalar(sa.select(sa.func.count(Skill.id)))
    result = runner.invoke(args=["import-taxonomy", path, "--format", "esco", "--types",
                                 "skill", "--lang", "en"])
    assert result.exit_code == 0, result.output
    # the two knowledge rows (one with a bad cell) are left out, not reported as problems
    assert "2 rows left out (type)." in result.output
    assert "Skills: 1 new, 2 changed, 0 unchanged" in result.output
    db.session.expire_all()
    uris = set(db.session.scalars(sa.select(Skill.esco_uri).where(Skill.esco_uri.is_not(None))))
    assert uris == {PY, FIRST, NEW1}
    assert db.session.scalar(sa.select(sa.func.count(Skill.id))) == before + 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "import.esco"))
    assert '"left_out_type": 2' in event.detail and '"types": ["skill"]' in event.detail


def test_knowledge_only_leaves_out_the_skills(runner, coop, esco_file):
    rows = [r for r in _rows()]
    result = runner.invoke(args=["import-taxonomy", esco_file(rows), "--format", "esco",
                                 "--types", "knowledge", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "3 rows left out (type)." in result.output
    assert "Skills: 1 new, 0 changed, 0 unchanged" in result.output
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(Skill.esco_uri).where(
        Skill.esco_uri.is_not(None)))) == {NEW2}


def test_both_types_by_default_and_a_bad_cell_of_any_type_is_a_problem(runner, coop,
                                                                      esco_file):
    result = runner.invoke(args=["import-taxonomy", esco_file(_typed_rows()), "--format",
                                 "esco", "--lang", "en"])
    assert result.exit_code == 1
    assert "left out" not in result.output and "formula" in result.output


@pytest.mark.parametrize("types", ["transversal", "skill,language", ","])
def test_unknown_types_exit_2(runner, coop, esco_file, types):
    result = runner.invoke(args=["import-taxonomy", esco_file(_rows()), "--format", "esco",
                                 "--types", types])
    assert result.exit_code == 2 and "Unknown skill types" in result.output


def test_choosing_types_needs_the_skilltype_column(runner, coop, tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text(f"conceptUri,preferredLabel\n{NEW1},turni\n", encoding="utf-8")
    result = runner.invoke(args=["import-taxonomy", str(path), "--format", "esco", "--types",
                                 "skill", "--lang", "en"])
    assert result.exit_code == 1 and "skillType" in result.output
