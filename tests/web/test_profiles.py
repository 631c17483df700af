"""My profile: adding, changing and removing skills, bad input, concurrent edits, history."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from skillmap import clock
from skillmap.extensions import db
from skillmap.models import PersonSkill, SkillChange

ADD = "/profile/skills/add"


def _ps(users, taxonomy, code):
    return db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.person_id == users["employee"].person_id,
        PersonSkill.skill_id == taxonomy[code].id))


def _add(post_form, taxonomy, code="ICT-PY", **data):
    sid = taxonomy[code].id
    payload = {"skill_id": sid, "level": 3, "last_used_year": 2025, "note": "", **data}
    return post_form(ADD, payload, page=f"{ADD}?skill={sid}")


def _count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_profile_shows_skills_grouped_by_area_with_descriptor(client, auth, users, taxonomy,
                                                               post_form):
    auth.login("employee")
    assert _add(post_form, taxonomy, "ICT-PY", level=3).status_code == 302
    assert _add(post_form, taxonomy, "CARE-FIRST", level=2, note="Corso BLSD 2024").status_code == 302
    html = client.get("/profile").get_data(as_text=True)
    assert "Informatica" in html and "Cura" in html
    assert "Programmazione Python" in html and "3 – Autonomo" in html
    assert "Gestisce il lavoro ordinario in autonomia" in html or "Autonomo" in html
    assert "Corso BLSD 2024" in html
    ps = _ps(users, taxonomy, "ICT-PY")
    assert (ps.level, ps.last_used_year) == (3, 2025)
    assert _count(SkillChange, SkillChange.kind == "added") == 2


def test_search_without_javascript_lists_results_with_add_links(client, auth, users, taxonomy):
    auth.login("employee")
    html = client.get("/profile/skills/search?q=pyton").get_data(as_text=True)  # a typo
    assert "Programmazione Python" in html
    assert f"/profile/skills/add?skill={taxonomy['ICT-PY'].id}" in html


@pytest.mark.parametrize("query,code", [
    ("python", "ICT-PY"), ("Python programming", "ICT-PY"), ("primo socorso", "CARE-FIRST"),
    ("BLSD", "CARE-FIRST"), ("badante", "CARE-HOME"), ("home care", "CARE-HOME"),
    ("RETI informatiche", "ICT-NET"), ("database", "ICT-SQL"),
])
def test_json_search_finds_by_italian_english_alias_and_typos(client, auth, users, taxonomy,
                                                              query, code):
    auth.login("employee")
    data = client.get("/profile/skills/search.json", query_string={"q": query}).get_json()
    assert data["count"] >= 1
    assert data["results"][0]["id"] == taxonomy[code].id


def test_search_is_accent_insensitive(app, taxonomy):
    from skillmap.services import skill_search

    taxonomy["ICT-NET"].name_it = "Reti e sicurezza perché sì"
    db.session.commit()
    found = skill_search.search(taxonomy["ICT-NET"].organisation_id, "perche si")
    assert found and found[0].skill_id == taxonomy["ICT-NET"].id


def test_empty_search_answers_nothing(client, auth, users, taxonomy):
    auth.login("employee")
    assert client.get("/profile/skills/search.json?q=").get_json() == {"count": 0, "results": []}


@pytest.mark.parametrize("data,field,message", [
    ({"level": 6}, "level", "Scegli un livello da 1 a 5."),
    ({"level": -1}, "level", "Scegli un livello da 1 a 5."),
    ({"level": "tre"}, "level", "Scegli un livello da 1 a 5."),
    ({"level": ""}, "level", "Scegli un livello da 1 a 5."),
    ({"note": "x" * 501}, "note", "al massimo 500 caratteri"),
    ({"last_used_year": clock.today().year + 1}, "last_used_year", "non può essere nel futuro"),
    ({"last_used_year": "ieri"}, "last_used_year", "numero intero"),
    ({"evidence_expires_on": "2027-02-31"}, "evidence_expires_on", "data valida"),
])
def test_bad_input_is_refused_next_to_the_field_in_italian(client, auth, users, taxonomy,
                                                           post_form, data, field, message):
    auth.login("employee")
    resp = _add(post_form, taxonomy, **data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert f'id="{field}-error"' in html or (field == "level" and 'id="level-error"' in html)
    assert message in html
    assert _count(PersonSkill) == 0 and _count(SkillChange) == 0


def test_bad_input_in_english_for_english_users(client, auth, users, taxonomy, post_form):
    users["employee"].locale = "en"
    db.session.commit()
    auth.login("employee")
    html = _add(post_form, taxonomy, level=9).get_data(as_text=True)
    assert "Choose a level from 1 to 5." in html
    assert _count(PersonSkill) == 0


@pytest.mark.parametrize("skill_id", ["999999", "abc", ""])
def test_unknown_skill_is_refused(client, auth, users, taxonomy, post_form, skill_id):
    auth.login("employee")
    resp = post_form(ADD, {"skill_id": skill_id, "level": 3},
                     page=f"{ADD}?skill={taxonomy['ICT-PY'].id}")
    assert resp.status_code == 200
    assert "Questa competenza non è nell&#39;elenco" in resp.get_data(as_text=True)
    assert _count(PersonSkill) == 0


def test_duplicate_skill_is_refused(client, auth, users, taxonomy, post_form):
    auth.login("employee")
    assert _add(post_form, taxonomy, level=2).status_code == 302
    resp = _add(post_form, taxonomy, level=4)
    assert resp.status_code == 200
    assert "già nel tuo profilo" in resp.get_data(as_text=True)
    assert _ps(users, taxonomy, "ICT-PY").level == 2
    assert _count(PersonSkill) == 1


def test_skill_from_another_organisation_is_refused(client, auth, users, taxonomy, post_form):
    from skillmap.models import Organisation, Skill

    other = Organisation(name="Altra")
    db.session.add(other)
    db.session.flush()
    foreign = Skill(organisation_id=other.id, code="X", name_it="Segreto", name_en="Secret")
    db.session.add(foreign)
    db.session.commit()
    auth.login("employee")
    resp = post_form(ADD, {"skill_id": foreign.id, "level": 3},
                     page=f"{ADD}?skill={taxonomy['ICT-PY'].id}")
    assert resp.status_code == 200
    assert _count(PersonSkill) == 0


def test_change_level_keeps_history_and_shows_timeline(client, auth, users, taxonomy, post_form):
    auth.login("employee")
    _add(post_form, taxonomy, level=2)
    ps = _ps(users, taxonomy, "ICT-PY")
    edit = f"/profile/skills/{ps.id}/edit"
    resp = post_form(edit, {"level": 3, "version": ps.version, "last_used_year": 2026,
                            "wants_to_grow": "y", "note": "Corso"})
    assert resp.status_code == 302
    ps = _ps(users, taxonomy, "ICT-PY")
    assert (ps.level, ps.wants_to_grow, ps.note) == (3, True, "Corso")
    kinds = db.session.scalars(sa.select(SkillChange.kind).order_by(SkillChange.id)).all()
    assert kinds == ["added", "level", "wish", "note"]
    html = client.get("/profile").get_data(as_text=True)
    assert "2 → 3" in html


def test_wish_without_the_skill(client, auth, users, taxonomy, post_form):
    auth.login("employee")
    assert _add(post_form, taxonomy, "ICT-SQL", level=0, last_used_year="").status_code == 302
    ps = _ps(users, taxonomy, "ICT-SQL")
    assert (ps.level, ps.wants_to_grow) == (0, True)
    assert "Voglio impararla" in client.get("/profile").get_data(as_text=True) or \
        "voglio impararla" in client.get("/profile").get_data(as_text=True)


def test_remove_skill_keeps_a_history_row(client, auth, users, taxonomy, post_form):
    auth.login("employee")
    _add(post_form, taxonomy, level=2)
    ps = _ps(users, taxonomy, "ICT-PY")
    resp = post_form(f"/profile/skills/{ps.id}/remove", {"rm-version": ps.version},
                     page=f"/profile/skills/{ps.id}/edit")
    assert resp.status_code == 302
    assert _ps(users, taxonomy, "ICT-PY") is None
    assert _count(SkillChange, SkillChange.kind == "removed") == 1


def test_two_tabs_second_save_is_refused_showing_the_current_value(client, auth, users,
                                                                    taxonomy, post_form):
    auth.login("employee")
    _add(post_form, taxonomy, level=2)
    ps = _ps(users, taxonomy, "ICT-PY")
    edit, opened_version = f"/profile/skills/{ps.id}/edit", ps.version
    # tab A saves level 4
    assert post_form(edit, {"level": 4, "version": opened_version}).status_code == 302
    # tab B, opened before, tries level 1
    resp = post_form(edit, {"level": 1, "version": opened_version})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "non sono state salvate" in html
    assert "4 – Avanzato" in html
    assert _ps(users, taxonomy, "ICT-PY").level == 4


def test_stale_version_caught_by_the_optimistic_lock(app, users, taxonomy):
    """Even if two saves read the same version, the database refuses the second."""
    from skillmap.services import profiles

    person = users["employee"].person
    ps = profiles.add_skill(person, taxonomy["ICT-PY"].id, profiles.SkillData(level=2),
                            actor=users["employee"])
    db.session.commit()
    version = ps.version
    db.session.execute(sa.update(PersonSkill).where(PersonSkill.id == ps.id)
                       .values(level=5, version=version + 1))  # another process
    with pytest.raises(profiles.StaleEdit):
        profiles.update_skill(ps, version, profiles.SkillData(level=1), actor=users["employee"])
    db.session.expire_all()
    assert db.session.get(PersonSkill, ps.id).level == 5


def test_cannot_edit_someone_elses_skill(client, auth, users, taxonomy):
    from skillmap.services import profiles

    ps = profiles.add_skill(users["coordinator"].person, taxonomy["ICT-PY"].id,
                            profiles.SkillData(level=2), actor=users["coordinator"])
    db.session.commit()
    auth.login("employee")
    assert client.get(f"/profile/skills/{ps.id}/edit").status_code == 404


@pytest.mark.parametrize("data,field,message", [
    ({"availability_hours": 201}, "availability_hours", "da 0 a 200"),
    ({"availability_hours": -1}, "availability_hours", "da 0 a 200"),
    ({"availability_hours": "tanti"}, "availability_hours", "numero intero"),
    ({"available_until": "31/12/2027"}, "available_until", "data valida"),
    ({"available_until": (clock.today() - timedelta(days=1)).isoformat()}, "available_until",
     "non può essere nel passato"),
    ({"languages": ["xx"]}, "languages", ""),
])
def test_bad_settings_are_refused(client, auth, users, post_form, data, field, message):
    auth.login("employee")
    resp = post_form("/profile/settings", {"availability_hours": 10, **data})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    db.session.expire_all()
    assert users["employee"].person.availability_hours == 0


def test_settings_saved(client, auth, users, post_form):
    auth.login("employee")
    until = (clock.today() + timedelta(days=90)).isoformat()
    resp = post_form("/profile/settings", {"availability_hours": 12, "available_until": until,
                                           "languages": ["it", "en"],
                                           "visible_to_colleagues": "y"})
    assert resp.status_code == 302
    person = users["employee"].person
    assert (person.availability_hours, person.languages, person.visible_to_colleagues) == (
        12, "en,it", True)
    html = client.get("/profile").get_data(as_text=True)
    assert "12 ore al mese" in html and "Inglese" in html


def test_completeness_and_next_hint(client, auth, users, taxonomy, post_form):
    auth.login("employee")
    html = client.get("/profile").get_data(as_text=True)
    assert "0% completo" in html and "Aggiungi almeno tre competenze" in html
    for code in ("ICT-PY", "ICT-SQL", "CARE-FIRST"):
        _add(post_form, taxonomy, code, level=2)
    html = client.get("/profile").get_data(as_text=True)
    assert "40% completo" in html and "Segna una competenza" in html


def test_employee_home_links_to_the_profile(client, auth, users):
    auth.login("employee")
    assert 'href="/profile"' in client.get("/").get_data(as_text=True)
