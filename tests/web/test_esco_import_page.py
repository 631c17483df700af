"""The ESCO import page: upload, check and preview without writing, confirm, all or nothing."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Skill
from tests.app.test_esco_import import NEW1, PY, _rows, esco_csv
from tests.conftest import csrf_token


@pytest.fixture
def admin(app, client, auth, users, taxonomy, tmp_path):
    app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    auth.login("admin")
    return users["admin"]


def upload(client, data: bytes, name="skills_it.csv", **fields):
    token = csrf_token(client, "/admin/taxonomy/import")
    form = {"csrf_token": token, "file": (io.BytesIO(data), name), "language": "it", **fields}
    return client.post("/admin/taxonomy/import", data=form, content_type="multipart/form-data")


def confirm(client, resp, only_valid=False):
    html = resp.get_data(as_text=True)
    form = {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
            for name in ("csrf_token", "token", "language", "area_id")}
    if only_valid:
        form["only_valid"] = "1"
    return client.post("/admin/taxonomy/import/confirm", data=form)


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Skill.id)))


def test_a_valid_file_is_previewed_then_imported(client, admin, taxonomy):
    before = _count()
    resp = upload(client, esco_csv(_rows()).encode("utf-8"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Tutte le 4 righe sono valide." in html
    assert "gestire i turni di lavoro" in html  # an example of what it adds
    assert _count() == before  # the check writes nothing
    resp = confirm(client, resp)
    assert resp.status_code == 302
    html = client.get(resp.headers["Location"]).get_data(as_text=True).replace("&#39;", "'")
    assert "2 competenze aggiunte, 2 aggiornate, 0 lasciate com'erano" in html
    assert _count() == before + 2
    assert db.session.scalar(sa.select(Skill.esco_uri).where(Skill.code == "ICT-PY")) == PY
    assert db.session.scalar(sa.select(Skill.id).where(Skill.esco_uri == NEW1)) is not None


def test_problems_are_listed_by_row_and_nothing_is_written(client, admin, taxonomy):
    before = _count()
    rows = _rows() + [{"conceptUri": "esco:nope", "preferredLabel": "x"}]
    resp = upload(client, esco_csv(rows).encode("utf-8"))
    html = resp.get_data(as_text=True).replace("&#39;", "'")
    assert resp.status_code == 200
    assert "1 righe su 5 hanno problemi. Non è stato importato nulla." in html
    assert "«esco:nope» non è l'indirizzo di una competenza ESCO" in html
    # confirming without "only the valid rows" is refused: the check is shown again
    form = {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
            for name in ("csrf_token", "token", "language", "area_id")}
    assert client.post("/admin/taxonomy/import/confirm", data=form).status_code == 409
    assert _count() == before
    resp = confirm(client, resp, only_valid=True)
    assert resp.status_code == 302 and _count() == before + 2


@pytest.mark.parametrize("data, message", [
    (b"", "Scegli il file ESCO (CSV) da importare."),
    (b"\x00\x01\x02\x03binary", "non è un file di testo CSV"),
])
def test_unreadable_uploads_say_why(client, admin, data, message):
    if data:
        resp = upload(client, data)
    else:
        token = csrf_token(client, "/admin/taxonomy/import")
        resp = client.post("/admin/taxonomy/import", data={"csrf_token": token},
                           content_type="multipart/form-data")
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True).replace("&#39;", "'")


def test_only_admins_and_only_with_csrf(client, auth, users, taxonomy, app, tmp_path):
    app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    auth.login("manager")
    assert client.get("/admin/taxonomy/import").status_code == 403
    auth.logout()
    auth.login("admin")
    resp = client.post("/admin/taxonomy/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(esco_csv(_rows()).encode()), "skills_it.csv")})
    assert resp.status_code == 400  # no CSRF token


def test_cancel_discards_the_upload(client, admin, taxonomy):
    resp = upload(client, esco_csv(_rows()).encode("utf-8"))
    html = resp.get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]*)"', html).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', html).group(1)
    client.post("/admin/taxonomy/import/cancel", data={"csrf_token": csrf, "token": token})
    resp = confirm(client, resp)
    assert resp.status_code == 302
    assert "non è più disponibile" in client.get(resp.headers["Location"]).get_data(
        as_text=True)


def test_the_page_imports_only_the_chosen_types(client, admin, taxonomy):
    from skillmap.models import AuditEvent
    from tests.app.test_esco_import import NEW2

    page = client.get("/admin/taxonomy/import").get_data(as_text=True)
    assert 'id="type-skill" name="types" value="skill" checked' in page
    assert 'id="type-knowledge" name="types" value="knowledge" checked' in page
    before = _count()
    resp = upload(client, esco_csv(_rows()).encode("utf-8"), types=["knowledge"])
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Tipi di competenza da importare: Conoscenze. 3 righe lasciate fuori (tipo)." in html
    assert re.findall(r'name="types" value="([^"]*)"', html) == ["knowledge"]
    form = {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
            for name in ("csrf_token", "token", "language", "area_id")}
    form["types"] = re.findall(r'name="types" value="([^"]*)"', html)
    resp = client.post("/admin/taxonomy/import/confirm", data=form)
    assert resp.status_code == 302
    done = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "3 righe lasciate fuori (tipo)" in done
    assert _count() == before + 1
    assert db.session.scalar(sa.select(Skill.id).where(Skill.esco_uri == NEW2)) is not None
    assert db.session.scalar(sa.select(Skill.id).where(Skill.esco_uri == NEW1)) is None
    assert '"left_out_type": 3' in db.session.scalar(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "import.esco"))
