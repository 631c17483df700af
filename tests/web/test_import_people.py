"""Bulk import of people and skills from the admin page: check, preview, confirm."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import (AuditEvent, JobTitle, Person, PersonSkill, SkillChange, Unit,
                             User)
from tests.conftest import csrf_token

HEAD = "email;nome;cognome;unita;mansione;rapporto;competenza;livello;ultimo_uso"
GOOD = [HEAD,
        "giulia@test.coop;Giulia;Galli;Servizi educativi;Educatrice;socio lavoratore;"
        "CARE-HOME;3;2024",
        "giulia@test.coop;Giulia;Galli;Servizi educativi;Educatrice;socio lavoratore;"
        "Primo soccorso;0;",
        "marco@test.coop;Marco;Bassi;;;dipendente;;;"]


def _csv(lines, encoding="utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def admin(app, client, auth, users, taxonomy, tmp_path):
    app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    auth.login("admin")
    return users["admin"]


def upload(client, data: bytes, name="persone.csv", create_units=False, invite=False):
    token = csrf_token(client, "/admin/import/people")
    form = {"csrf_token": token, "file": (io.BytesIO(data), name)}
    if create_units:
        form["create_units"] = "1"
    if invite:
        form["invite"] = "1"
    return client.post("/admin/import/people", data=form, content_type="multipart/form-data")


def confirm(client, resp, only_valid=False):
    html = resp.get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    form = {"csrf_token": csrf, "token": token}
    units = re.search(r'name="create_units" value="([^"]*)"', html)
    if units:
        form["create_units"] = units.group(1)
    invite = re.search(r'name="invite" value="([^"]*)"', html)
    if invite:
        form["invite"] = invite.group(1)
    if only_valid:
        form["only_valid"] = "1"
    return client.post("/admin/import/people/confirm", data=form)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _snapshot():
    return (_count(Person), _count(PersonSkill), _count(SkillChange), _count(Unit),
            _count(JobTitle))


def _import(client, data: bytes, name="persone.csv", **kw):
    resp = upload(client, data, name, **kw)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return confirm(client, resp)


# ------------------------------------------------------------------------ the happy path

def test_a_valid_file_is_previewed_then_imported(client, admin, taxonomy):
    before = _snapshot()
    resp = upload(client, _csv(GOOD))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Tutte le 3 righe sono valide." in html
    assert re.search(r"Persone</th>\s*<td[^>]*>2</td>", html)  # two new people
    assert _snapshot() == before  # the preview wrote nothing
    resp = confirm(client, resp)
    assert resp.status_code == 302
    giulia = db.session.scalar(sa.select(Person).where(Person.email == "giulia@test.coop"))
    assert (giulia.first_name, giulia.unit.name, giulia.job_title, giulia.work_relationship) == (
        "Giulia", "Servizi educativi", "Educatrice", "socio_lavoratore")
    levels = {ps.skill.code: (ps.level, ps.wants_to_grow, ps.last_used_year)
              for ps in giulia.skills}
    assert levels == {"CARE-HOME": (3, False, 2024), "CARE-FIRST": (0, True, None)}
    marco = db.session.scalar(sa.select(Person).where(Person.email == "marco@test.coop"))
    assert marco.skills == [] and marco.work_relationship == "dipendente"
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Importazione completata: 2 persone aggiunte" in page
    assert "persone.csv" in page  # the recent imports list
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "import.people"))
    detail = json.loads(event.detail)
    assert event.actor_id == admin.id and detail["file"] == "persone.csv"
    assert (detail["people_created"], detail["skills_created"]) == (2, 2)


def test_the_same_file_again_changes_nothing(client, admin):
    _import(client, _csv(GOOD))
    before = _snapshot()
    resp = upload(client, _csv(GOOD))
    html = resp.get_data(as_text=True)
    assert re.search(r"Persone</th>\s*<td[^>]*>0</td>\s*<td[^>]*>0</td>\s*<td[^>]*>2</td>", html)
    confirm(client, resp)
    assert _snapshot() == before


def test_people_are_keyed_by_email_whatever_its_case(client, admin, users, taxonomy):
    data = _csv([HEAD, "EMPLOYEE@Test.Coop;Anna;Rossi;;;;ICT-PY;4;"])
    _import(client, data)
    anna = users["employee"].person
    db.session.refresh(anna)
    assert _count(Person) == 4  # nobody added
    assert [(ps.skill.code, ps.level) for ps in anna.skills] == [("ICT-PY", 4)]


def test_a_changed_level_is_written_to_the_history_as_an_import(client, admin, users, auth):
    _import(client, _csv([HEAD, "employee@test.coop;Anna;Rossi;;;;ICT-PY;2;"]))
    _import(client, _csv([HEAD, "employee@test.coop;Anna;Rossi;;;;ICT-PY;4;"]))
    changes = db.session.execute(sa.select(SkillChange.kind, SkillChange.old_level,
                                           SkillChange.new_level, SkillChange.source,
                                           SkillChange.changed_by_id)
                                 .order_by(SkillChange.id)).all()
    assert changes == [("added", None, 2, "import", admin.id),
                       ("level", 2, 4, "import", admin.id)]
    auth.logout()
    auth.login("employee")
    assert "da importazione" in client.get("/profile").get_data(as_text=True)


def test_new_units_are_created_only_when_allowed(client, admin):
    data = _csv([HEAD, "luca@test.coop;Luca;Riva;Cucina centrale;;;;;"])
    html = upload(client, data).get_data(as_text=True)
    assert "Unità sconosciuta &#34;Cucina centrale&#34;" in html or \
        "Unità sconosciuta \"Cucina centrale\"" in html
    resp = upload(client, data, create_units=True)
    assert "Cucina centrale" in resp.get_data(as_text=True)
    confirm(client, resp)
    luca = db.session.scalar(sa.select(Person).where(Person.email == "luca@test.coop"))
    assert luca.unit.name == "Cucina centrale"


# --------------------------------------------------------------------------- CSV variants

@pytest.mark.parametrize("data", [
    pytest.param(b"\xef\xbb\xbf" + _csv(GOOD), id="utf8-bom-semicolon"),
    pytest.param(_csv(GOOD), id="utf8-semicolon"),
    pytest.param(_csv([line.replace(";", ",") for line in GOOD]), id="comma"),
    pytest.param(_csv([line.replace(";", "\t") for line in GOOD]), id="tab"),
    pytest.param(_csv(GOOD, "cp1252"), id="cp1252"),
])
def test_csv_variants_are_read(client, admin, data):
    resp = upload(client, data)
    assert "Tutte le 3 righe sono valide." in resp.get_data(as_text=True)


def test_cp1252_accents_and_quoted_separators_and_newlines(client, admin):
    data = _csv([HEAD + ";note",
                 'nicolo@test.coop;Nicolò;D\'Amàto;Servizi educativi;"Educatore; senior";;;;;'
                 '"prima riga\nseconda; riga"',
                 "bad@test.coop;;Senza nome;;;;;;;"], "cp1252")
    resp = upload(client, data)
    html = resp.get_data(as_text=True)
    # the quoted newline keeps the record on one row: the next one is row 3
    assert re.search(r">3</td>\s*<td[^>]*>nome</td>", html)
    assert "<code>note</code>" in html  # the unknown column is named
    confirm(client, resp, only_valid=True)
    p = db.session.scalar(sa.select(Person).where(Person.email == "nicolo@test.coop"))
    assert (p.first_name, p.last_name, p.job_title) == ("Nicolò", "D'Amàto", "Educatore; senior")


def test_english_headers_and_english_messages(client, admin, users):
    users["admin"].locale = "en"
    db.session.commit()
    data = _csv(["E-mail,First Name,Last_Name,Unit,Job title,Relationship,Skill,Level,Last used",
                 "zoe@test.coop,Zoe,Ferri,,,Volunteer,Home care,7,"])
    html = upload(client, data).get_data(as_text=True)
    assert "The level must be a whole number from 0 to 5" in html
    assert "1 of 1 rows have problems" in html


# ----------------------------------------------------------------- every bad file, refused

def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROW = ["giulia@test.coop", "Giulia", "Galli", "", "", "", "CARE-HOME", 3, ""]


@pytest.mark.parametrize("lines, column, message", [
    ([HEAD.replace(";cognome", ""), "a@test.coop;Ada;;;;;;"], "cognome",
     "Manca la colonna obbligatoria."),
    ([HEAD, "a@test.coop;Ada;Neri;;;;Primo socorso;3;"], "competenza",
     "Competenza sconosciuta &#34;Primo socorso&#34;. Le più simili: Primo soccorso"),
    ([HEAD, "a@test.coop;Ada;Neri;;;;CARE-HOME;6;"], "livello", "numero intero da 0 a 5"),
    ([HEAD, "a@test.coop;Ada;Neri;;;;CARE-HOME;-1;"], "livello", "numero intero da 0 a 5"),
    ([HEAD, "a@test.coop;Ada;Neri;;;;CARE-HOME;2,5;"], "livello", "numero intero da 0 a 5"),
    ([HEAD, "a@test.coop;Ada;Neri;;;;CARE-HOME;;"], "livello", "Inserisci il livello"),
    ([HEAD, "a@test.coop;Ada;Neri;;;;;3;"], "competenza", "Inserisci la competenza"),
    ([HEAD, "non-una-mail;Ada;Neri;;;;;;"], "email", "non è un indirizzo e-mail valido"),
    ([HEAD, ";Ada;Neri;;;;;;"], "email", "Inserisci l&#39;indirizzo e-mail"),
    ([HEAD, "a@test.coop;Ada;Neri;;;;;;", "a@test.coop;Adele;Neri;;;;;;"], "nome",
     "ha un altro nome alla riga 2: Ada Neri"),
    ([HEAD, "a@test.coop;Ada;Neri;;;;ICT-PY;3;", "a@test.coop;Ada;Neri;;;;Python;4;"],
     "livello", "La stessa persona e competenza sono alla riga 2 con livello 3"),
    ([HEAD, "a@test.coop;Ada;Neri;Magazzino;;;;;"], "unita", "Unità sconosciuta"),
    ([HEAD, "a@test.coop;=HYPERLINK(\"http://x\");Neri;;;;;;"], "nome", "sembra una formula"),
    ([HEAD, "a@test.coop;Ada;@SUM(A1);;;;;;"], "cognome", "sembra una formula"),
    ([HEAD, "a@test.coop;Ada;Neri;;;astronauta;;;"], "rapporto",
     "Rapporto di lavoro sconosciuto"),
    ([HEAD, "a@test.coop;Ada;Neri;;" + "x" * 201 + ";;;;"], "mansione", "Al massimo 200"),
    ([HEAD, "a@test.coop;Ada;Neri;;;;CARE-HOME;3;1800"], "ultimo_uso", "Inserisci un anno tra il 1950"),
    ([HEAD, "a@test.coop;Ada;Neri;;;;badante|x;3;"], "competenza", "Competenza sconosciuta"),
    (["email;nome;cognome;competenza", "a@test.coop;Ada;Neri;CARE-HOME"], "livello",
     "la colonna della competenza ma non quella del livello"),
    ([HEAD], None, "nessuna riga di dati"),
    (["email;nome;cognome;nome", "a@test.coop;Ada;Neri;Ada"], "nome", "compare due volte"),
])
def test_each_problem_is_reported_with_row_and_column_and_nothing_is_written(
        client, admin, lines, column, message):
    before = _snapshot()
    resp = upload(client, _csv(lines))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert message in html, html[html.find("<main"):][:3000]
    if column:
        assert f">{column}</td>" in html
    assert "Non è stato importato nulla" in html
    assert ">Importa</button>" not in html
    assert _snapshot() == before


@pytest.mark.parametrize("data, name, message", [
    (b"", "vuoto.csv", "Il file è vuoto"),
    (b"\r\n\r\n", "vuoto.csv", "Il file è vuoto"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "vecchio.xls", "vecchi file Excel"),
    (b"PK\x03\x04rotto", "rotto.xlsx", "Il file Excel non si può leggere"),
    (b"email;nome\r\nnon zip", "finto.xlsx", "Il file Excel non si può leggere"),
    (b"\x00\x01\x02binario" * 10, "dati.csv", "non è un file di testo CSV"),
    (b"email;nome;cognome\r\na@x.it;\x81\x8d;Neri\r\n", "strano.csv", "né Windows-1252"),
    (_xlsx({"Foglio1": [["Riepilogo"], [1]], "Dati": [["email", "nome", "cognome"]]}),
     "due-fogli.xlsx", "Il foglio &#34;Foglio1&#34; non ha nessuna delle colonne previste"),
])
def test_unreadable_files_are_refused_with_a_clear_message(client, admin, data, name, message):
    before = _snapshot()
    resp = upload(client, data, name)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert message in html, html[html.find("<main"):][:2000]
    assert _snapshot() == before


def test_no_file_chosen(client, admin):
    token = csrf_token(client, "/admin/import/people")
    resp = client.post("/admin/import/people", data={"csrf_token": token},
                       content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "Scegli un file CSV o Excel" in resp.get_data(as_text=True)


def test_size_and_row_limits(app, client, admin):
    app.config["IMPORT_MAX_ROWS"] = 2
    html = upload(client, _csv(GOOD)).get_data(as_text=True)
    assert "Il file ha più di 2 righe" in html
    app.config["IMPORT_MAX_ROWS"] = 300_000
    app.config["IMPORT_MAX_BYTES"] = 1024 * 1024
    big = _csv(GOOD + [f"p{i}@test.coop;Nome;Cognome;;;;;;" for i in range(40_000)])
    assert len(big) > 1024 * 1024
    resp = upload(client, big)
    assert resp.status_code == 400
    assert "Il file supera 1 MB. Dividilo in file più piccoli." in resp.get_data(as_text=True)
    assert _count(Person) == 4


# --------------------------------------------------------------------------------- XLSX

HEADER = ["email", "nome", "cognome", "unita", "mansione", "rapporto", "competenza",
          "livello", "ultimo_uso"]


@pytest.mark.parametrize("sheets", [
    pytest.param({"Istruzioni": [["Leggimi"]], "Persone": [HEADER, ROW]}, id="Persone"),
    pytest.param({"Readme": [["x"]], "people": [HEADER, ROW]}, id="People-any-case"),
    pytest.param({"Foglio1": [HEADER, ROW], "Altro": [["x"]]}, id="first-sheet"),
])
def test_xlsx_sheet_is_found(client, admin, sheets):
    resp = upload(client, _xlsx(sheets), "persone.xlsx")
    assert "Tutte le 1 righe sono valide." in resp.get_data(as_text=True)
    confirm(client, resp)
    giulia = db.session.scalar(sa.select(Person).where(Person.email == "giulia@test.coop"))
    assert [(ps.skill.code, ps.level) for ps in giulia.skills] == [("CARE-HOME", 3)]


def _with_cached_formula(data: bytes, cell: str, formula: str, cached: str) -> bytes:
    """Rewrite sheet1 so that ``cell`` holds ``formula`` with a saved value ``cached``
    (what Excel writes), different from what the formula would compute."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                text, n = re.subn(rf'<c r="{cell}"[^>]*>.*?</c>',
                                  f'<c r="{cell}"><f>{formula}</f><v>{cached}</v></c>', text)
                assert n == 1
                body = text.encode()
            dst.writestr(info, body)
    return out.getvalue()


def test_xlsx_formulas_are_read_as_their_saved_values_never_evaluated(client, admin):
    data = _with_cached_formula(_xlsx({"Persone": [HEADER, ROW]}), "H2", "1+1", "4")
    resp = upload(client, data, "formule.xlsx")
    assert "Tutte le 1 righe sono valide." in resp.get_data(as_text=True)
    confirm(client, resp)
    ps = db.session.scalar(sa.select(PersonSkill))
    assert ps.level == 4  # the saved value, not 1+1


def test_xlsx_text_that_looks_like_a_formula_is_refused(client, admin):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(_xlsx({"Persone": [HEADER, ROW]})))
    cell = wb["Persone"]["B2"]
    cell.value, cell.data_type = "=cmd|' /C calc'!A0", "s"
    buf = io.BytesIO()
    wb.save(buf)
    html = upload(client, buf.getvalue(), "x.xlsx").get_data(as_text=True)
    assert "sembra una formula" in html and ">nome</td>" in html


def test_xlsx_zip_bomb_is_refused_before_parsing(client, admin, monkeypatch):
    from skillmap.services import tabular

    monkeypatch.setattr(tabular, "MAX_UNZIPPED", 50 * 1024 * 1024)
    base = zipfile.ZipFile(io.BytesIO(_xlsx({"Persone": [HEADER, ROW]})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in base.infolist():
            dst.writestr(info, base.read(info.filename))
        with dst.open("xl/media/bomb.bin", "w") as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(60):
                fh.write(chunk)
    data = out.getvalue()
    assert len(data) < 200_000  # small on disk, 60 MB expanded
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: pytest.fail("parsed"))
    resp = upload(client, data, "bomba.xlsx")
    assert resp.status_code == 400
    assert "decompresso, supererebbe 50 MB" in resp.get_data(as_text=True)


def test_xlsx_with_too_many_entries_is_refused(client, admin):
    base = zipfile.ZipFile(io.BytesIO(_xlsx({"Persone": [HEADER, ROW]})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in base.infolist():
            dst.writestr(info, base.read(info.filename))
        for i in range(1001):
            dst.writestr(f"xl/extra/{i}.xml", b"<a/>")
    resp = upload(client, out.getvalue(), "molte.xlsx")
    assert resp.status_code == 400
    assert "contiene troppe parti" in resp.get_data(as_text=True)


# ------------------------------------------------------ only valid rows, all or nothing

BAD_ONE = GOOD + ["ada@test.coop;Ada;Neri;;;;CARE-HOME;9;"]


def test_confirming_a_file_with_problems_writes_nothing(client, admin):
    before = _snapshot()
    resp = upload(client, _csv(BAD_ONE))
    assert "Importa solo le 3 righe valide" in resp.get_data(as_text=True)
    resp = confirm(client, resp)  # a forged confirmation without "only valid"
    assert resp.status_code == 409
    assert _snapshot() == before


def test_import_only_the_valid_rows(client, admin):
    resp = upload(client, _csv(BAD_ONE))
    confirm(client, resp, only_valid=True)
    emails = set(db.session.scalars(sa.select(Person.email)))
    assert {"giulia@test.coop", "marco@test.coop"} <= emails
    assert "ada@test.coop" not in emails
    detail = json.loads(db.session.scalar(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "import.people")))
    assert (detail["rows_imported"], detail["rows_skipped"]) == (3, 1)


def test_a_failure_during_the_import_leaves_the_database_as_it_was(client, admin, monkeypatch):
    from skillmap.services import people_import

    data = _csv([HEAD, "luca@test.coop;Luca;Riva;Cucina;Cuoco;;CARE-HOME;2;"])
    resp = upload(client, data, create_units=True)
    before = _snapshot()

    def broken(*a, **k):  # the history insert fails after people, units, titles, skills
        raise RuntimeError("disk full")

    monkeypatch.setattr(people_import, "_history", broken)
    resp = confirm(client, resp)
    assert resp.status_code == 302
    assert "non è stato scritto nulla" in client.get(resp.headers["Location"]).get_data(
        as_text=True)
    assert _snapshot() == before


def test_a_cancelled_import_writes_nothing_and_forgets_the_file(app, client, admin, tmp_path):
    resp = upload(client, _csv(GOOD))
    html = resp.get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/admin/import/people/cancel", data={"csrf_token": csrf, "token": token})
    assert list((tmp_path / "imports").iterdir()) == []
    resp = confirm(client, resp)
    assert resp.status_code == 302
    assert _count(Person) == 4


def test_an_upload_is_confirmed_only_by_who_uploaded_it(app, client, admin, auth, org):
    resp = upload(client, _csv(GOOD))
    other = User(organisation_id=org.id, email="admin2@test.coop", role="admin")
    other.set_password("correct horse battery")
    db.session.add(other)
    db.session.commit()
    auth.logout()
    auth.login("admin2@test.coop")
    confirm(client, resp)
    assert _count(Person) == 4


@pytest.mark.parametrize("role", ["employee", "coordinator", "manager"])
def test_only_admins_import(client, auth, users, role):
    auth.login(role)
    assert client.get("/admin/import/people").status_code == 403
    assert client.get("/admin/import/people/template.csv").status_code == 403


# ----------------------------------------------------------------------------- templates

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("locale", ["it", "en"])
def test_templates_have_one_example_row_that_imports_as_is(client, admin, users, fmt, locale):
    users["admin"].locale = locale
    db.session.commit()
    resp = client.get(f"/admin/import/people/template.{fmt}")
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    if fmt == "csv":
        text = resp.get_data().decode("utf-8-sig")
        assert text.splitlines()[0].split(";" if locale == "it" else ",")[:3] == (
            ["email", "nome", "cognome"] if locale == "it" else
            ["email", "first_name", "last_name"])
        assert len(text.strip().splitlines()) == 2
    else:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(resp.get_data()))
        assert wb.sheetnames == ["Persone" if locale == "it" else "People"]
        assert wb.active.max_row == 2
    html = upload(client, resp.get_data(), f"modello.{fmt}").get_data(as_text=True)
    assert ("Tutte le 1 righe sono valide." if locale == "it" else "All 1 rows are valid.") in html


# ------------------------------------------------------------------ invitations after import

def test_the_new_people_are_invited_once_after_the_import(client, admin, org, smtp):
    from tests.conftest import run_jobs

    db.session.add(Person(organisation_id=org.id, first_name="Vera", last_name="Prima",
                          email="vera@test.coop"))   # already here, no account
    db.session.add(Person(organisation_id=org.id, first_name="Nino", last_name="Senza"))
    db.session.commit()
    # employee@test.coop already has an account: updated, never invited
    data = _csv([HEAD, "luca@test.coop;Luca;Riva;;;;;;", "sara@test.coop;Sara;Neri;;;;;;",
                 "employee@test.coop;Anna;Rossi;;;;;;"])
    resp = upload(client, data, invite=True)
    html = resp.get_data(as_text=True)
    assert "L'e-mail di invito sarà inviata a 2 persone nuove." in html
    assert "Sarà invitata anche 1 persona già presente in SkillMap senza account." in html
    assert _invite_jobs() == 0 and smtp.messages == []          # the preview queues nothing
    resp = confirm(client, resp)
    assert resp.status_code == 302
    assert _invite_jobs() == 1
    run_jobs()
    assert sorted(m["To"] for m in smtp.messages) == ["luca@test.coop", "sara@test.coop",
                                                      "vera@test.coop"]
    assert db.session.scalar(sa.select(User).where(User.email == "luca@test.coop")) is not None
    _import(client, data)          # the same file again, without the option: nobody again
    run_jobs()
    assert len(smtp.messages) == 3


def test_without_the_option_nobody_is_invited(client, admin, smtp):
    from tests.conftest import run_jobs

    resp = upload(client, _csv([HEAD, "luca@test.coop;Luca;Riva;;;;;;"]))
    assert "invito" not in resp.get_data(as_text=True).split("<h1")[1]
    confirm(client, resp)
    run_jobs()
    assert _invite_jobs() == 0 and smtp.messages == []
    assert _count(Person) == 5


def test_a_failed_import_queues_no_invitation(client, admin, monkeypatch, smtp):
    from skillmap.services import people_import
    from tests.conftest import run_jobs

    resp = upload(client, _csv([HEAD, "luca@test.coop;Luca;Riva;;;;CARE-HOME;2;"]),
                  invite=True)
    monkeypatch.setattr(people_import, "_history",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    resp = confirm(client, resp)
    assert "non è stato scritto nulla" in client.get(resp.headers["Location"]).get_data(
        as_text=True)
    run_jobs()
    assert _invite_jobs() == 0 and smtp.messages == []
    assert db.session.scalar(sa.select(Person).where(Person.email == "luca@test.coop")) is None


def test_a_file_with_problems_queues_no_invitation(client, admin, smtp):
    from tests.conftest import run_jobs

    resp = upload(client, _csv([HEAD, "luca@test.coop;Luca;Riva;;;;NO-SUCH;2;"]), invite=True)
    resp = confirm(client, resp)               # not "only the valid rows": refused
    assert resp.status_code == 409
    run_jobs()
    assert _invite_jobs() == 0 and smtp.messages == []


def _invite_jobs() -> int:
    from skillmap.models import Job

    return db.session.scalar(sa.select(sa.func.count()).select_from(Job).where(
        Job.kind == "invite_all"))
