"""flask import-people: exit status 0 imported, 1 invalid (nothing written), 2 unreadable."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent, Person, PersonSkill, SkillChange, Unit

HEAD = "email;nome;cognome;unita;mansione;rapporto;competenza;livello;ultimo_uso\n"
GOOD = HEAD + ("giulia@test.coop;Giulia;Galli;Cucina;Cuoca;socio lavoratore;CARE-HOME;3;2024\n"
               "giulia@test.coop;Giulia;Galli;Cucina;Cuoca;socio lavoratore;ICT-PY;0;\n")


@pytest.fixture
def cli(app, org, taxonomy, runner, tmp_path):
    app.config["ORGANISATION_NAME"] = org.name

    def run(text: str | bytes, *args, name="persone.csv"):
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        result = runner.invoke(args=["import-people", str(path), *args])
        db.session.expire_all()
        return result

    return run


def _counts():
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))
                 for m in (Person, PersonSkill, SkillChange, Unit))


def test_a_valid_file_is_imported_with_status_0(cli):
    result = cli(GOOD, "--create-units")
    assert result.exit_code == 0, result.output
    assert "Importate 2 righe." in result.output
    assert _counts() == (1, 2, 2, 1)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "import.people"))
    assert event.actor_id is None and '"file": "persone.csv"' in event.detail
    assert set(db.session.scalars(sa.select(SkillChange.source))) == {"import"}
    again = cli(GOOD, "--create-units")  # the same file: nothing changes
    assert again.exit_code == 0
    assert "Persone: 0 nuovi, 0 modificati, 1 invariati" in again.output
    assert _counts() == (1, 2, 2, 1)


def test_dry_run_writes_nothing(cli):
    result = cli(GOOD, "--create-units", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Competenze nei profili delle persone: 2 nuovi" in result.output
    assert "Prova: non è stato scritto nulla." in result.output
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.parametrize("args", [(), ("--dry-run",), ("--create-units",)])
def test_anything_invalid_exits_1_with_the_report_and_writes_nothing(cli, args):
    result = cli(GOOD + "ada@test.coop;Ada;Neri;;;;CARE-HOME;7;\n", *args)
    assert result.exit_code == 1, result.output
    assert "riga 4, colonna livello: Il livello deve essere un numero intero" in result.output
    if "--create-units" not in args:
        assert "riga 2, colonna unita: Unità sconosciuta" in result.output
    assert _counts() == (0, 0, 0, 0)


def test_only_valid_imports_the_valid_rows(cli):
    result = cli(GOOD + "ada@test.coop;Ada;Neri;;;;CARE-HOME;7;\n", "--only-valid",
                 "--create-units")
    assert result.exit_code == 0, result.output
    assert "Importate le righe valide (2); saltate 1 con problemi." in result.output
    assert list(db.session.scalars(sa.select(Person.email))) == ["giulia@test.coop"]


def test_a_missing_column_is_invalid_even_with_only_valid(cli):
    result = cli("email;nome\na@test.coop;Ada\n", "--only-valid")
    assert result.exit_code == 1
    assert "colonna cognome: Manca la colonna obbligatoria." in result.output
    assert _counts() == (0, 0, 0, 0)


def test_report_in_english(cli):
    result = cli(GOOD, "--lang", "en")
    assert result.exit_code == 1
    assert "row 2, column unita: Unknown unit \"Cucina\"" in result.output


@pytest.mark.parametrize("setup, args", [
    (None, ["import-people", "/nonexistent/persone.csv"]),          # no such file
    (b"", None),                                                    # empty
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, None),       # old .xls
    (b"PK\x03\x04broken", None),                                    # damaged xlsx
    (GOOD.encode(), ["import-people"]),                             # the FILE is missing
    (GOOD.encode(), ["import-people", "{path}", "--bogus"]),        # unknown option
    (GOOD.encode(), ["import-people", "{path}", "--lang", "fr"]),   # bad value
])
def test_bad_argument_or_unreadable_file_exits_2(app, org, runner, tmp_path, setup, args):
    app.config["ORGANISATION_NAME"] = org.name
    path = tmp_path / "file.csv"
    if setup is not None:
        path.write_bytes(setup)
    args = [a.replace("{path}", str(path)) for a in (args or ["import-people", str(path)])]
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert _counts() == (0, 0, 0, 0)


def test_a_directory_is_a_bad_argument(app, org, runner, tmp_path):
    app.config["ORGANISATION_NAME"] = org.name
    assert runner.invoke(args=["import-people", str(tmp_path)]).exit_code == 2


def test_too_large_file_exits_2(app, cli):
    app.config["IMPORT_MAX_BYTES"] = 50
    result = cli(GOOD)
    assert result.exit_code == 2
    assert "Il file supera" in result.output


def test_invite_queues_the_invitations_after_the_import(cli, smtp):
    from skillmap.models import Job
    from tests.conftest import run_jobs

    dry = cli(GOOD, "--create-units", "--invite", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Inviti: 1 persone nuove, 0 già presenti senza account." in dry.output
    run_jobs()
    assert _invite_jobs() == 0 and smtp.messages == []
    result = cli(GOOD, "--create-units", "--invite")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Job.origin).where(Job.kind == "invite_all")) == "cli"
    run_jobs()
    assert [m["To"] for m in smtp.messages] == ["giulia@test.coop"]
    cli(GOOD, "--create-units", "--invite")     # nobody new: no second invitation
    run_jobs()
    assert len(smtp.messages) == 1


def test_invite_with_an_invalid_file_queues_nothing(cli, smtp):
    from tests.conftest import run_jobs

    result = cli(GOOD + "x@test.coop;X;Y;Cucina;;;NO-SUCH;2;\n", "--create-units", "--invite")
    assert result.exit_code == 1
    run_jobs()
    assert _invite_jobs() == 0 and smtp.messages == []


def _invite_jobs() -> int:
    from skillmap.models import Job

    return db.session.scalar(sa.select(sa.func.count()).select_from(Job).where(
        Job.kind == "invite_all"))
