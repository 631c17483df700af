"""Bulk import in the browser: an admin uploads a file with errors (each is listed, nothing is
written), then the corrected file, and imports it; and the page an account without a person
gets instead of a profile.

Both run on a server of their own (a fresh database with the taxonomy, an admin and an
account without a person), so the demo data the other journeys share stays as it is.
"""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
import sqlalchemy as sa
from werkzeug.serving import make_server

from skillmap import create_app
from skillmap.extensions import db
from tests.browser.conftest import assert_accessible
from tests.browser.test_accessibility import page_overflow
from tests.conftest import FAST_HASH, scratch_database_url

pytestmark = pytest.mark.browser

PASSWORD = "una frase lunga per entrare"
ADMIN, NO_PERSON = "admin@import.coop", "senza-persona@import.coop"
HEAD = "email;nome;cognome;unita;mansione;rapporto;competenza;livello;ultimo_uso"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    from flask_migrate import upgrade

    from skillmap.models import Person, Unit, User
    from skillmap.models.base import utcnow
    from skillmap.services.accounts import get_or_create_organisation
    from skillmap.services.taxonomy import load_taxonomy

    tmp = tmp_path_factory.mktemp("importdb")
    app = create_app({"SECRET_KEY": "browser-import", "PASSWORD_HASH_METHOD": FAST_HASH,
                      "SQLALCHEMY_DATABASE_URI": scratch_database_url("import_browser", tmp),
                      "ORGANISATION_NAME": "Cooperativa Import", "QUEUE_URL": "memory",
                      "IMPORT_DIR": str(tmp / "imports")})
    with app.app_context():
        upgrade()
        org = get_or_create_organisation(app.config["ORGANISATION_NAME"])
        load_taxonomy(org)
        unit = Unit(organisation_id=org.id, name="Servizi educativi")
        admin = Person(organisation_id=org.id, first_name="Ada", last_name="Admin", email=ADMIN,
                       unit=unit)
        db.session.add_all([unit, admin])
        for email, role, person in ((ADMIN, "admin", admin), (NO_PERSON, "employee", None)):
            user = User(organisation_id=org.id, email=email, role=role, person=person,
                        privacy_seen_at=utcnow())
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def _signed_in(browser, base_url, email, width=1280):
    context = browser.new_context(base_url=base_url, locale="it-IT",
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url
    return context, page


def _people(app) -> list[str]:
    from skillmap.models import Person

    with app.app_context():
        return sorted(db.session.scalars(sa.select(Person.email)))


def _check_page(page) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page_overflow(page) is None, page_overflow(page)
        assert_accessible(page)


def test_admin_imports_a_file_with_errors_then_the_corrected_one(browser, own_server, tmp_path):
    app, base_url = own_server
    before = _people(app)
    context, page = _signed_in(browser, base_url, ADMIN)
    page.goto("/admin/people")
    page.get_by_role("link", name="Importa da un file").click()
    expect(page.get_by_role("heading", name="Importa persone e competenze")).to_be_visible()
    _check_page(page)

    bad = tmp_path / "persone.csv"
    bad.write_text("\n".join([
        HEAD,
        "giulia@import.coop;Giulia;Galli;Servizi educativi;Educatrice;socio lavoratore;"
        "Primo socorso;3;2024",
        "marco@import.coop;Marco;Bassi;Servizi educativi;;dipendente;SOC-CONFLICT;7;",
        "non-una-mail;Luca;Riva;;;;;;"]) + "\n", encoding="utf-8")
    page.get_by_label("File da importare (CSV o Excel .xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="Controlla il file").click()
    page.wait_for_load_state("networkidle")
    problems = page.locator("#problems tbody tr")
    assert problems.count() == 3
    text = page.locator("#problems").inner_text()
    assert "Competenza sconosciuta \"Primo socorso\". Le più simili:" in text
    assert "Primo soccorso" in text
    assert "numero intero da 0 a 5" in text and "non è un indirizzo e-mail valido" in text
    assert "3 righe su 3 hanno problemi. Non è stato importato nulla." in page.content()
    assert page.get_by_role("button", name="Importa", exact=True).count() == 0
    _check_page(page)
    page.get_by_role("button", name="Annulla e correggi il file").click()
    page.wait_for_load_state("networkidle")
    assert "Importazione annullata" in page.content()
    assert _people(app) == before

    good = tmp_path / "persone-corretto.csv"
    good.write_text(bad.read_text(encoding="utf-8").replace("Primo socorso", "Primo soccorso")
                    .replace(";7;", ";4;").replace("non-una-mail", "luca@import.coop"),
                    encoding="utf-8")
    page.get_by_label("File da importare (CSV o Excel .xlsx)").set_input_files(str(good))
    page.get_by_role("button", name="Controlla il file").click()
    page.wait_for_load_state("networkidle")
    assert "Tutte le 3 righe sono valide." in page.content()
    preview = page.locator("#preview").inner_text()
    assert "Persone" in preview and "Educatrice" in preview
    _check_page(page)
    page.get_by_role("button", name="Importa", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "Importazione completata: 3 persone aggiunte" in page.content()
    assert "persone-corretto.csv" in page.locator("#recent-imports").inner_text()
    _check_page(page)
    assert _people(app) == sorted(before + ["giulia@import.coop", "luca@import.coop",
                                            "marco@import.coop"])
    context.close()


def test_an_account_without_a_person_gets_a_page_that_says_so(browser, own_server):
    """No "my profile" to show: a clear page (axe, and it fits a phone and a laptop)."""
    _, base_url = own_server
    for width in (390, 1280):
        context, page = _signed_in(browser, base_url, NO_PERSON, width)
        assert page.goto("/profile").status == 404
        assert_accessible(page)
        assert page_overflow(page) is None
        context.close()
