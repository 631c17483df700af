"""Manager reports: access, small-group hiding, exports checked against the page, audit."""
from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import openpyxl
import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import (AuditEvent, DataVersion, Person, PersonSkill, Project,
                             ProjectRequirement, RoleTarget, Unit)

FORMULA_UNIT = "=HYPERLINK(\"http://x\")"
REPORTS = ["matrix", "gaps", "growth", "trends", "families"]


@pytest.fixture
def coop(org, taxonomy, users):
    """Three units: Servizi educativi (the 4 users), Ristorazione (8), a formula-named one (7).

    Area CARE, people at level 3+: Servizi 2 (hidden), Ristorazione 6, formula unit 7,
    total 15 -> the lone hidden 2 makes the next smallest (6) hidden too.
    ICT-PY: one person at level 5 (a single point of failure), asked by a project.
    """
    kitchen = Unit(organisation_id=org.id, name="Ristorazione")
    odd = Unit(organisation_id=org.id, name=FORMULA_UNIT)
    db.session.add_all([kitchen, odd])
    db.session.flush()
    people = []
    for i in range(8):
        people.append(Person(organisation_id=org.id, unit_id=kitchen.id, first_name=f"Cuoco{i}",
                             last_name="Rossi", job_title="Cuoco"))
    for i in range(7):
        people.append(Person(organisation_id=org.id, unit_id=odd.id, first_name=f"Odd{i}",
                             last_name="Bianchi", job_title="Operatore"))
    db.session.add_all(people)
    db.session.flush()
    rows = []
    for i, p in enumerate(people[:8]):
        rows.append(PersonSkill(person_id=p.id, skill_id=taxonomy["CARE-HOME"].id,
                                level=3 if i < 6 else 2, wants_to_grow=i >= 6))
    for p in people[8:]:
        rows.append(PersonSkill(person_id=p.id, skill_id=taxonomy["CARE-FIRST"].id, level=3))
    rows.append(PersonSkill(person_id=people[0].id, skill_id=taxonomy["ICT-PY"].id, level=5))
    for p in people[1:6]:  # five people could be trained in Python
        rows.append(PersonSkill(person_id=p.id, skill_id=taxonomy["ICT-PY"].id, level=0,
                                wants_to_grow=True))
    for role in ("employee", "coordinator"):
        rows.append(PersonSkill(person_id=users[role].person_id,
                                skill_id=taxonomy["CARE-HOME"].id, level=4))
    project = Project(organisation_id=org.id, title="App", status="staffing")
    project.requirements.append(ProjectRequirement(skill_id=taxonomy["ICT-PY"].id, min_level=3,
                                                   count=2))
    db.session.add_all(rows + [project, RoleTarget(organisation_id=org.id, job_title="Educatore",
                                                   skill_id=taxonomy["CARE-HOME"].id,
                                                   min_level=3)])
    db.session.commit()
    return {"kitchen": kitchen, "odd": odd, "people": people}


class TableText(HTMLParser):
    """Rows of cell texts of the first table with ``css`` class, visually-hidden text skipped."""

    def __init__(self, css):
        super().__init__()
        self.css, self.rows, self.depth_hidden, self.in_table, self.cell = css, [], 0, False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and self.css in (a.get("class") or "") and not self.rows:
            self.in_table = True
        elif self.in_table and tag == "tr":
            self.rows.append([])
        elif self.in_table and tag in ("td", "th"):
            self.cell = []
        elif tag == "span" and (self.depth_hidden or "visually-hidden" in (a.get("class") or "")):
            self.depth_hidden += 1

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_table = False
        elif self.in_table and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "span" and self.depth_hidden:
            self.depth_hidden -= 1

    def handle_data(self, data):
        if self.cell is not None and not self.depth_hidden:
            self.cell.append(data)


def page_table(html, css):
    parser = TableText(css)
    parser.feed(html)
    return parser.rows


@pytest.mark.parametrize("role,status", [("employee", 403), ("coordinator", 403),
                                         ("manager", 200), ("admin", 200)])
@pytest.mark.parametrize("path", [f"/reports/{r}" for r in REPORTS] + [
    "/reports/matrix.csv", "/reports/gaps.xlsx", "/reports/role-targets"])
def test_only_managers_and_admins(client, auth, coop, role, status, path):
    auth.login(role)
    assert client.get(path).status_code == status


def test_people_list_is_forbidden_to_employees(client, auth, coop, taxonomy):
    auth.login("employee")
    assert client.get(f"/reports/people?kind=holders&skill={taxonomy['ICT-PY'].id}"
                      ).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "report.people_listed")) == 0


def test_matrix_hides_small_groups_and_the_complementary_cell(client, auth, coop):
    auth.login("manager")
    html = client.get("/reports/matrix").get_data(as_text=True)
    rows = page_table(html, "heatmap")
    head = rows[0]
    care = head.index("Cura")
    by_unit = {r[0]: r for r in rows[1:]}
    assert by_unit["Servizi educativi"][care].startswith("nascosto")       # 2 people: hidden
    assert by_unit["Ristorazione"][care].startswith("nascosto")            # 6: complementary
    assert by_unit[FORMULA_UNIT][care].startswith("7")
    assert by_unit["Tutte le unità"][care].startswith("15")
    assert "meno di 5 persone sono nascoste" in html                 # the rule, in words
    assert "&lt;5" not in html                  # the 6 is hidden too: "<5" would be wrong
    assert "Calcolato il" in html


def test_matrix_xlsx_matches_the_page(client, auth, coop):
    auth.login("manager")
    rows = page_table(client.get("/reports/matrix").get_data(as_text=True), "heatmap")
    resp = client.get("/reports/matrix.xlsx")
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(resp.data))
    ws = wb["Persone livello 3+"]
    assert ws.freeze_panes == "A2"
    sheet = [[c.value for c in r] for r in ws.iter_rows()]
    header = sheet[0]
    assert header[:2] == ["Unità", "Persone nell'unità"]
    for page_row in rows[1:]:
        xl = next(r for r in sheet[1:] if str(r[0]).lstrip("'") == page_row[0])
        for col in ("Cura", "Informatica"):
            page_value = page_row[rows[0].index(col)].split()[0]   # "7 media 3.0" -> "7"
            assert str(xl[header.index(col)]) == page_value, (page_row[0], col)
    info = [[c.value for c in r] for r in wb[wb.sheetnames[0]].iter_rows()]
    assert any(r[0] == "Calcolato il" and r[1] for r in info)


def test_formula_like_text_is_escaped_in_csv_and_xlsx(client, auth, coop):
    auth.login("manager")
    text = client.get("/reports/matrix.csv").data.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text), delimiter=";") for c in row]
    assert "'" + FORMULA_UNIT in cells
    assert FORMULA_UNIT not in cells
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/reports/matrix.xlsx").data))
    values = [c.value for ws in wb for r in ws.iter_rows() for c in r]
    assert "'" + FORMULA_UNIT in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


@pytest.mark.parametrize("value,expected", [("=1+1", "'=1+1"), ("+39 06", "'+39 06"),
                                            ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
                                            ("\tx", "'\tx"), ("\rx", "'\rx"), ("Cura", "Cura"),
                                            (-3, -3), (2.5, 2.5)])
def test_escape_formula(value, expected):
    from skillmap.services.report_exports import escape_formula

    assert escape_formula(value) == expected


@pytest.mark.parametrize("kind", REPORTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_report_exports(client, auth, coop, kind, fmt):
    auth.login("manager")
    resp = client.get(f"/reports/{kind}.{fmt}?unit={coop['kitchen'].id}")
    assert resp.status_code == 200
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(resp.data))
        assert len(wb.sheetnames) >= 2
    else:
        assert "Calcolato il" in resp.data.decode("utf-8-sig")


def test_gaps_single_point_and_audited_holder_list(client, auth, coop, taxonomy, users):
    auth.login("manager")
    html = client.get("/reports/gaps").get_data(as_text=True)
    assert "Punti critici unici" in html and "Programmazione Python" in html
    rows = page_table(html, "report-table")
    py = next(r for r in rows if r and r[0] == "Programmazione Python")
    assert py[5].startswith("nascosto")        # supply 1: hidden
    assert py[6].startswith("nascosto")        # project gap 2 - 1 would give supply back
    assert py[-1].startswith("nascosto")  # "yes" would say: one holder or none
    assert "Mostra chi la possiede" not in html  # the one holder is not named...
    resp = client.get(f"/reports/people?kind=holders&skill={taxonomy['ICT-PY'].id}&back=gaps")
    assert resp.status_code == 403              # ...not even by asking for the list
    assert "Cuoco0 Rossi" not in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "report.people_listed")) == 0


def test_holder_list_is_audited_once_per_person_named(client, auth, coop, taxonomy, users):
    auth.login("manager")
    resp = client.get(f"/reports/people?kind=holders&skill={taxonomy['CARE-HOME'].id}")
    assert resp.status_code == 200
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "report.people_listed")).all()
    named = {p.id for p in coop["people"][:6]} | {users[r].person_id
                                                  for r in ("employee", "coordinator")}
    assert {e.subject_person_id for e in events} == named and len(events) == len(named)
    assert all(e.actor_id == users["manager"].id for e in events)
    assert json.loads(events[0].detail) == {"list": "holders", "unit_id": None, "area_id": None,
                                            "skill_id": taxonomy["CARE-HOME"].id}


def test_training_candidates_are_listed_and_audited(client, auth, coop, taxonomy):
    auth.login("manager")
    html = client.get("/reports/growth").get_data(as_text=True)
    rows = page_table(html, "report-table")
    py = next(r for r in rows if r and r[0] == "Programmazione Python")
    assert py[3] == "5"                  # five people want to learn it
    resp = client.get(f"/reports/people?kind=candidates&skill={taxonomy['ICT-PY'].id}")
    assert resp.get_data(as_text=True).count("Rossi") == 5
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "report.people_listed")) == 5   # one row per person listed


def test_matrix_drill_down_and_cell_people(client, auth, coop, taxonomy):
    auth.login("manager")
    area = taxonomy["CARE-HOME"].area_id
    html = client.get(f"/reports/matrix?area={area}").get_data(as_text=True)
    assert "Assistenza domiciliare" in html and "Primo soccorso" in html
    resp = client.get(f"/reports/people?kind=cell&unit={coop['odd'].id}&area={area}")
    assert resp.get_data(as_text=True).count("Bianchi") == 7


@pytest.mark.parametrize("query", ["unit=abc", "area=999999", "unit=0", "unit=&area="])
def test_bad_or_empty_filters_do_not_break_pages(client, auth, coop, query):
    auth.login("manager")
    for kind in REPORTS:
        assert client.get(f"/reports/{kind}?{query}").status_code == 200


def test_people_list_needs_a_known_kind(client, auth, coop):
    auth.login("manager")
    assert client.get("/reports/people?kind=everyone").status_code == 404


def test_role_target_crud(client, auth, coop, taxonomy, post_form):
    auth.login("manager")
    page = "/reports/role-targets"
    resp = post_form(page, {"job_title": "Cuoco", "skill": taxonomy["CARE-FIRST"].id,
                            "min_level": "4"})
    assert resp.status_code == 302
    target = db.session.scalar(sa.select(RoleTarget).where(RoleTarget.job_title == "Cuoco"))
    assert target.min_level == 4
    resp = post_form(f"/reports/role-targets/{target.id}/edit", {"min_level": "2"})
    assert resp.status_code == 302
    db.session.refresh(target)
    assert target.min_level == 2
    target_id = target.id
    resp = post_form(f"/reports/role-targets/{target_id}/delete", {}, page=page)
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(RoleTarget).where(RoleTarget.id == target_id)) is None
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"role_target.created", "role_target.updated", "role_target.deleted"} <= actions


@pytest.mark.parametrize("data,error", [
    ({"job_title": "", "min_level": "3"}, "Inserisci una qualifica."),
    ({"job_title": "Astronauta", "min_level": "3"}, "Scegli una qualifica"),
    ({"job_title": "Educatore", "min_level": "3"}, "ha già un obiettivo"),
    ({"job_title": "Cuoco", "min_level": "9"}, 'id="min_level-error"'),
    ({"job_title": "Cuoco", "min_level": "3", "skill": ""}, "Scegli una competenza."),
])
def test_role_target_validation(client, auth, coop, taxonomy, post_form, data, error):
    auth.login("manager")
    data = {"skill": taxonomy["CARE-HOME"].id, **data}
    before = db.session.scalar(sa.select(sa.func.count(RoleTarget.id)))
    resp = post_form("/reports/role-targets", data)
    assert resp.status_code == 200
    assert error in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(RoleTarget.id))) == before


def matrix_care(client):
    rows = page_table(client.get("/reports/matrix").get_data(as_text=True), "heatmap")
    care = rows[0].index("Cura")
    return {r[0]: r[care].split()[0] for r in rows[1:]}


def test_an_edit_shows_at_once_although_reports_are_cached(client, auth, coop, taxonomy):
    auth.login("manager")
    assert matrix_care(client)["Tutte le unità"] == "15"
    assert matrix_care(client)["Tutte le unità"] == "15"     # second view: from the cache
    row = db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.person_id == coop["people"][8].id))
    row.level = 2                                           # an ORM edit, as profile pages do
    db.session.commit()
    assert matrix_care(client)["Tutte le unità"] == "14"


def test_bulk_inserts_and_role_targets_show_at_once(client, auth, coop, taxonomy):
    auth.login("manager")
    assert matrix_care(client)[FORMULA_UNIT] == "7"
    extra = Person(organisation_id=coop["odd"].organisation_id, unit_id=coop["odd"].id,
                   first_name="Nuovo", last_name="Bianchi", job_title="Operatore")
    db.session.add(extra)
    db.session.commit()
    version = db.session.scalar(sa.select(DataVersion.version))
    db.session.execute(sa.insert(PersonSkill), [{"person_id": extra.id, "level": 4,
                                                 "skill_id": taxonomy["CARE-HOME"].id}])
    db.session.commit()                                     # bulk, as the demo seed
    assert db.session.scalar(sa.select(DataVersion.version)) == version + 1
    assert matrix_care(client)[FORMULA_UNIT] == "8"
    assert matrix_care(client)["Tutte le unità"] == "16"

    def role_gap_rows():
        html = client.get("/reports/gaps").get_data(as_text=True)
        return [r for r in page_table(html, "report-table") if r and r[0] == "Primo soccorso"]

    assert role_gap_rows() == []
    db.session.add(RoleTarget(organisation_id=coop["odd"].organisation_id, job_title="Cuoco",
                              skill_id=taxonomy["CARE-FIRST"].id, min_level=2))
    db.session.commit()
    assert len(role_gap_rows()) == 1


def test_trends_count_level_changes_by_month(app, client, auth, coop, taxonomy):
    from datetime import datetime, timedelta, timezone

    from skillmap.models import SkillChange

    now = datetime.now(timezone.utc)
    old = now - timedelta(days=100)
    for i, p in enumerate(coop["people"][:6]):   # the six cooks at level 3 in home care
        db.session.add(SkillChange(person_id=p.id, skill_id=taxonomy["CARE-HOME"].id,
                                   kind="added", new_level=3, changed_at=old if i < 5 else now))
    db.session.commit()
    auth.login("manager")
    text = client.get("/reports/trends.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    head = next(r for r in rows if r and r[0] == "Mese")
    col = head.index("Assistenza domiciliare")
    after = rows[rows.index(head) + 1:]
    by_month = {r[0]: r[col] for r in after[:after.index([]) if [] in after else None]}
    with app.test_request_context():   # months as an Italian reader writes them: "gen 2025"
        from skillmap.i18n import month_label

        assert by_month[month_label(now.strftime("%Y-%m"))] == "6"
        assert by_month[month_label(old.strftime("%Y-%m"))] == "5"
        assert by_month[month_label((old - timedelta(days=31)).strftime("%Y-%m"))] == "0"
    assert re.fullmatch(r"[a-z]{3} \d{4}", next(iter(by_month)))


@pytest.mark.parametrize("lang,sep", [("it", ";"), ("en", ",")])
def test_report_csv_follows_the_readers_spreadsheet(client, auth, coop, users, lang, sep):
    users["manager"].locale = lang
    db.session.commit()
    auth.login("manager")
    body = client.get("/reports/matrix.csv").data
    assert body.startswith("\ufeff".encode("utf-8"))      # the BOM: Excel reads UTF-8
    first = body.decode("utf-8-sig").splitlines()[1]
    assert sep in first and first.split(sep)[0] in ("Calcolato il", "Computed at")


@pytest.mark.parametrize("path", [f"/reports/{r}" for r in REPORTS] + ["/reports/gaps.xlsx"])
def test_reports_of_a_cooperative_without_role_targets_or_job_titles(client, auth, org, taxonomy,
                                                                     users, path):
    for someone in db.session.scalars(sa.select(Person)):
        someone.job_title = None
    person = db.session.get(Person, users["employee"].person_id)
    db.session.add(PersonSkill(person_id=person.id, skill_id=taxonomy["CARE-HOME"].id, level=3))
    db.session.commit()
    auth.login("manager")
    assert client.get(path).status_code == 200
def _month(delta_months: int = 0) -> str:
    from datetime import datetime, timezone

    import pandas as pd

    now = pd.Period(datetime.now(timezone.utc).strftime("%Y-%m"), "M")
    return str(now - delta_months)


def test_trends_follow_the_chosen_skills_period_and_compare_two_months(app, client, auth,
                                                                         coop, taxonomy):
    """Home care: 5 cooks at level 3 from about 3 months ago, a sixth this month; first aid: the 7
    of the formula unit from 2 months ago. Chosen: those two skills, 6 months, comparing
    5 months ago (A) with this month (B)."""
    from datetime import datetime, timedelta, timezone

    from skillmap.models import SkillChange

    now = datetime.now(timezone.utc)
    for i, p in enumerate(coop["people"][:6]):
        db.session.add(SkillChange(person_id=p.id, skill_id=taxonomy["CARE-HOME"].id,
                                   kind="added", new_level=3,
                                   changed_at=now - timedelta(days=100) if i < 5 else now))
    for p in coop["people"][8:]:
        db.session.add(SkillChange(person_id=p.id, skill_id=taxonomy["CARE-FIRST"].id,
                                   kind="added", new_level=3, changed_at=now - timedelta(days=62)))
    db.session.commit()
    auth.login("manager")
    query = {"skill": [taxonomy["CARE-HOME"].id, taxonomy["CARE-FIRST"].id], "period": "6",
             "month_a": _month(5), "month_b": _month(0)}
    resp = client.get("/reports/trends", query_string=query)
    page = re.sub(r"\s+", " ", resp.get_data(as_text=True))
    assert resp.status_code == 200
    # the choices stay chosen in the form
    assert re.search(rf'<option selected value="{taxonomy["CARE-HOME"].id}">', page) or \
        re.search(rf'<option value="{taxonomy["CARE-HOME"].id}" selected>', page), page
    months = page[page.index('id="trend-months"'):].split("</table>")[0]
    assert months.count("<tr>") == 1 + 6            # header and six months
    assert "Assistenza domiciliare" in months and "Primo soccorso" in months
    assert "Python" not in months                    # a key gap skill, not chosen
    compare = page[page.index('id="trend-compare"'):].split("</table>")[0]
    # home care: 0 five months ago, 6 now (+6); first aid: 0 then 7 (+7)
    assert re.search(r'Assistenza domiciliare</th> <td class="text-end">0</td> '
                     r'<td class="text-end">6</td> <td class="text-end">\+6</td>', compare), compare
    assert re.search(r'Primo soccorso</th> <td class="text-end">0</td> '
                     r'<td class="text-end">7</td> <td class="text-end">\+7</td>', compare), compare
    # the downloads carry the same choices
    csv_link = re.search(r'href="(/reports/trends\.csv[^"]*)"', page).group(1)
    text = client.get(csv_link.replace("&amp;", "&")).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    head = next(r for r in rows if r and r[0] == "Competenza")
    assert head[3] == "Differenza"
    body = {r[0]: r[1:] for r in rows[rows.index(head) + 1:] if r}
    assert body["Assistenza domiciliare"] == ["0", "6", "6"]


def test_trends_comparison_hides_a_difference_when_either_month_is_hidden(app, client, auth,
                                                                          coop, taxonomy):
    """Two people got home care this month (a group under 5): this month's count is hidden
    for the organisation... and so is the difference, which would give it back."""
    from datetime import datetime, timezone

    from skillmap.models import SkillChange

    for p in coop["people"][:2]:
        db.session.add(SkillChange(person_id=p.id, skill_id=taxonomy["CARE-HOME"].id,
                                   kind="added", new_level=3, changed_at=datetime.now(timezone.utc)))
    db.session.commit()
    auth.login("manager")
    page = re.sub(r"\s+", " ", client.get("/reports/trends", query_string={
        "skill": taxonomy["CARE-HOME"].id, "month_a": _month(3), "month_b": _month(0)}
    ).get_data(as_text=True))
    compare = page[page.index('id="trend-compare"'):].split("</table>")[0]
    assert compare.count("nascost") == 2, compare     # B and the difference, not A (0)
    assert ">2<" not in compare and "+2" not in compare


@pytest.mark.parametrize("query", [
    {"skill": "999999"}, {"skill": "abc"}, {"period": "7"}, {"month_a": "1999-01"},
    {"month_b": "<script>"}, {"skill": ["1", "1", "1"]},
])
def test_trends_ignore_choices_that_are_not_offered(client, auth, coop, query):
    auth.login("manager")
    resp = client.get("/reports/trends", query_string=query)
    assert resp.status_code == 200
    assert "<script>" not in resp.get_data(as_text=True).split("</header>")[-1].replace(
        '<script src=', '')
