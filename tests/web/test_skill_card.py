"""The printable skill card: for the person from their profile, for HR from the person's page
(a disclosure, logged like any view of the person's data)."""
import re
from datetime import date

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent, Organisation, Person, PersonSkill
from tests.conftest import give


def text(resp):
    return re.sub(r"\s+", " ", resp.get_data(as_text=True))


@pytest.fixture
def anna(users, taxonomy):
    """Anna: home care at 4 (confirmed 3 by Carla, HR), Python at 2 wanting to grow with a
    certificate, SQL as a wish."""
    person = users["employee"].person
    give(person, taxonomy, {"CARE-HOME": 4, "ICT-PY": 2, "ICT-SQL": 0},
         wishes=("ICT-PY", "ICT-SQL"))
    home = db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.person_id == person.id, PersonSkill.skill_id == taxonomy["CARE-HOME"].id))
    home.confirmed_level, home.confirmed_by_id = 3, users["manager"].id
    from skillmap.models.base import utcnow

    home.confirmed_at = utcnow()
    py = db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.person_id == person.id, PersonSkill.skill_id == taxonomy["ICT-PY"].id))
    py.evidence_expires_on = date(2027, 6, 30)
    db.session.commit()
    return person


def test_my_card_shows_skills_by_area_with_levels_confirmations_and_training(client, auth,
                                                                             anna):
    auth.login("employee")
    assert 'href="/profile/card"' in text(client.get("/profile"))
    resp = client.get("/profile/card")
    assert resp.status_code == 200
    page = text(resp)
    assert "Scheda delle competenze" in page and "Anna Rossi" in page
    assert "Servizi educativi" in page and "Educatore" in page
    # skills by area: each area a heading with its table
    care = page[page.index("Assistenza domiciliare"):]
    assert re.search(r"Assistenza domiciliare</th> <td>4 – Avanzato</td> <td>Livello "
                     r"confermato: 3 – Autonomo \([^)]*Carla Verdi\)", page), page
    assert re.search(r"Programmazione Python</th> <td>2 – Elementare</td> <td>Non ancora "
                     r"confermato</td>", page)
    training = page[page.index("Formazione e crescita"):]
    assert "Attestati" in training and "30 giu 2027" in training
    assert "Vuole crescere in" in training and "Vuole imparare" in training
    assert "Basi di dati SQL" in training
    # a wish is training, not a held skill in the tables
    assert "Basi di dati SQL</th>" not in care
    assert 'href="/static/css/card.css' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "profile.card_viewed")) == 0   # seeing oneself: no disclosure


def test_the_card_has_a_print_stylesheet(client, auth, anna):
    auth.login("employee")
    css = client.get("/static/css/card.css").get_data(as_text=True)
    assert "@media print" in css and "@page" in css


def test_hr_opens_a_card_from_the_person_page_and_it_is_audited(client, auth, users, anna):
    auth.login("manager")
    admin_page = text(client.get(f"/admin/people/{anna.id}"))
    assert f'href="/people/{anna.id}/card"' in admin_page
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    page = text(client.get(f"/people/{anna.id}/card"))
    assert "Anna Rossi" in page and "Assistenza domiciliare" in page
    assert "La tua visita a questa scheda è registrata" in page
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "profile.card_viewed")).all()
    assert [(e.actor_id, e.subject_person_id) for e in events] == [(users["manager"].id,
                                                                    anna.id)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before + 1
    # Anna sees who opened her card, in plain words
    auth.logout()
    auth.login("employee")
    assert "Ha aperto la tua scheda delle competenze da stampare" in text(client.get("/profile"))


def test_hr_opening_their_own_card_goes_to_their_profile_card(client, auth, users):
    auth.login("manager")
    resp = client.get(f"/people/{users['manager'].person_id}/card")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/profile/card")


@pytest.mark.parametrize("role,status", [("employee", 403), ("coordinator", 403),
                                         ("manager", 200), ("admin", 200)])
def test_only_hr_and_admins_open_someone_elses_card(client, auth, users, anna, role, status):
    if role == "employee":
        other = users["coordinator"].person
    else:
        other = anna
    auth.login(role)
    assert client.get(f"/people/{other.id}/card").status_code == status
    if status != 200:
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "profile.card_viewed")) == 0


def test_a_card_of_another_organisation_is_404(client, auth, users):
    other = Organisation(name="Altra coop")
    db.session.add(other)
    db.session.flush()
    stranger = Person(organisation_id=other.id, first_name="Ugo", last_name="Esterno")
    db.session.add(stranger)
    db.session.commit()
    auth.login("manager")
    assert client.get(f"/people/{stranger.id}/card").status_code == 404


def test_a_card_without_skills_says_so(client, auth, users):
    auth.login("employee")
    page = text(client.get("/profile/card"))
    assert "Non hai ancora" in page or "Nessuna competenza" in page
    assert "Formazione e crescita" not in page
