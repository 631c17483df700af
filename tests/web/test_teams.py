"""The team builder in the app: hand-checked suggestions, pins, exclusions, saving and answers.

Project "Laboratorio digitale" needs (weight) Python >= 3 (3), SQL >= 3 (2), first aid >= 2 (1)
and networks >= 2 (1): total weight 7. People with hours to give:

    Gen   Python 3, SQL 3            (unit U1)
    Ada   Python 5                   (unit U1)
    Sam   SQL 2 (partial 2/6)        (unit U2)
    Anna  first aid 3 (the demo employee login)   (unit U1)
    Nia   wants to learn networks (nobody holds it)
    Lia   Python 1, wants to grow
    Off   Python 5 but no hours (not a candidate unless the search is widened)

With two places, Gen + Anna cover 3 + 2 + 1 of 7 = 85.7%, the only best pair.
"""
import re
from html import unescape

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import (AuditEvent, Person, PersonSkill, Project, ProjectRequirement,
                             TeamMember, Unit)


@pytest.fixture
def lab(org, users, taxonomy):
    u1 = Unit(organisation_id=org.id, name="U1")
    u2 = Unit(organisation_id=org.id, name="U2")
    db.session.add_all([u1, u2])
    db.session.flush()
    anna = users["employee"].person
    anna.availability_hours, anna.unit_id = 10, u1.id
    people = {"Anna": anna}
    for name, unit, hours in (("Gen", u1, 10), ("Ada", u1, 10), ("Sam", u2, 10),
                              ("Nia", None, 10), ("Lia", None, 10), ("Off", None, 0)):
        people[name] = Person(organisation_id=org.id, first_name=name, last_name="Test",
                              unit_id=unit.id if unit else None, availability_hours=hours)
    db.session.add_all(people.values())
    db.session.flush()
    s = {k: v.id for k, v in taxonomy.items()}
    for name, code, level, grow in (("Gen", "ICT-PY", 3, False), ("Gen", "ICT-SQL", 3, False),
                                    ("Ada", "ICT-PY", 5, False), ("Sam", "ICT-SQL", 2, False),
                                    ("Anna", "CARE-FIRST", 3, False), ("Nia", "ICT-NET", 0, True),
                                    ("Lia", "ICT-PY", 1, True), ("Off", "ICT-PY", 5, False)):
        db.session.add(PersonSkill(person_id=people[name].id, skill_id=s[code], level=level,
                                   wants_to_grow=grow))
    project = Project(organisation_id=org.id, title="Laboratorio digitale", status="staffing",
                      team_size=2, coordinator_id=users["coordinator"].id)
    for code, level, weight in (("ICT-PY", 3, 3), ("ICT-SQL", 3, 2), ("CARE-FIRST", 2, 1),
                                ("ICT-NET", 2, 1)):
        project.requirements.append(ProjectRequirement(skill_id=s[code], min_level=level,
                                                       weight=weight, count=1))
    db.session.add(project)
    db.session.commit()
    return {"project": project, "people": people, "ids": {k: p.id for k, p in people.items()}}


def team_names(html: str) -> list[str]:
    """Names in the suggested members table, in order."""
    body = html.split('id="suggested-title"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'/team/people/\d+">([^<]+)</a>', body)


def coverage(html: str) -> str:
    return re.search(r'id="coverage">([^<]+)<', html).group(1)


def test_suggestion_is_the_best_pair_with_reasons_and_gaps(client, auth, lab):
    auth.login("coordinator")
    resp = client.get(f"/projects/{lab['project'].id}/team")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert sorted(team_names(html)) == ["Anna Rossi", "Gen Test"]
    assert coverage(html) == "86%"
    assert "Un suggerimento, non una decisione" in html     # GDPR Art. 22: a person decides
    assert "Reti informatiche" in html and "Nia Test" in html  # uncovered, with its trainee
    assert "<meter" in html and "Gruppi alternativi" in html


def test_excluding_someone_and_asking_again(client, auth, lab):
    auth.login("coordinator")
    ids = lab["ids"]
    html = client.get(f"/projects/{lab['project'].id}/team",
                      query_string={"asked": 1, "excludes": ids["Gen"]}).get_data(as_text=True)
    assert sorted(team_names(html)) == ["Ada Test", "Anna Rossi"]
    assert coverage(html) == "57%"


def test_pinned_person_is_kept_even_without_hours(client, auth, lab):
    auth.login("coordinator")
    html = client.get(f"/projects/{lab['project'].id}/team",
                      query_string={"asked": 1, "pins": lab["ids"]["Off"]}).get_data(as_text=True)
    assert sorted(team_names(html)) == ["Gen Test", "Off Test"]


def test_widening_the_search_reaches_people_without_hours(client, auth, lab):
    auth.login("coordinator")
    html = client.get(f"/projects/{lab['project'].id}/team",
                      query_string={"asked": 1, "widen": "y"}).get_data(as_text=True)
    assert "Off Test" in html
    narrow = client.get(f"/projects/{lab['project'].id}/team").get_data(as_text=True)
    assert "Off Test" not in narrow


def test_someone_who_gives_hours_is_a_candidate_at_once(client, auth, lab):
    """The candidates are kept per data version: a change of availability is seen right away."""
    auth.login("coordinator")
    url = f"/projects/{lab['project'].id}/team"
    assert "Off Test" not in client.get(url).get_data(as_text=True)
    lab["people"]["Off"].availability_hours = 5
    db.session.commit()
    assert "Off Test" in client.get(url).get_data(as_text=True)
    lab["people"]["Off"].availability_hours = 0
    db.session.commit()
    assert "Off Test" not in client.get(url).get_data(as_text=True)


def test_unit_cap_keeps_one_person_per_unit(client, auth, lab):
    auth.login("coordinator")
    html = client.get(f"/projects/{lab['project'].id}/team",
                      query_string={"asked": 1, "max_per_unit": 1}).get_data(as_text=True)
    names = team_names(html)
    assert names == ["Gen Test"]   # Anna is in Gen's unit; nobody else adds coverage
    assert coverage(html) == "71%"


def test_growth_place_pairs_a_learner_with_a_mentor(client, auth, lab):
    auth.login("coordinator")
    html = client.get(f"/projects/{lab['project'].id}/team",
                      query_string={"asked": 1, "growth_places": 1}).get_data(as_text=True)
    growth = html.split('id="growth-title"', 1)[1].split("</table>", 1)[0]
    assert "Lia Test" in growth and "Gen Test (livello 3)" in growth
    assert f'name="growth" value="{lab["ids"]["Lia"]}:{lab["ids"]["Gen"]}"' in html


def test_interested_people_are_highlighted(client, auth, lab):
    db.session.add_all([TeamMember(project_id=lab["project"].id, person_id=lab["ids"][n],
                                   status="interested") for n in ("Anna", "Sam")])
    db.session.commit()
    auth.login("coordinator")
    html = client.get(f"/projects/{lab['project'].id}/team").get_data(as_text=True)
    members = html.split('id="suggested-title"', 1)[1].split("</tbody>", 1)[0]
    assert members.count("★ Interessato/a") == 1          # Anna, in the team
    others = html.split('id="others-title"', 1)[1].split("</section>", 1)[0]
    assert "Sam Test" in others and "★ Interessato/a" in others  # Sam, outside it


def test_each_member_adds_a_share_of_the_coverage_in_words(client, auth, lab):
    auth.login("coordinator")
    html = unescape(client.get(f"/projects/{lab['project'].id}/team?asked=1").get_data(as_text=True))
    assert team_names(html) == ["Gen Test", "Anna Rossi"]
    # Gen brings 5 of the 6 weighted points: without Gen, 5/6 = 83% less coverage
    assert "Senza questa persona il gruppo coprirebbe il 83% in meno." in html
    assert "Senza questa persona il gruppo coprirebbe il 17% in meno." in html   # Anna: 1/6
    assert "punti" not in html
    assert "La formula usata" in html
    # importance in words, not a bare number
    assert "indispensabile" not in html and ">importante<" in html and ">utile<" in html


def test_a_member_with_fewer_free_hours_than_the_project_needs_is_flagged(client, auth, lab):
    lab["project"].hours_per_month = 10
    lab["people"]["Anna"].availability_hours = 4
    db.session.commit()
    auth.login("coordinator")
    html = unescape(client.get(f"/projects/{lab['project'].id}/team?asked=1").get_data(as_text=True))
    assert html.count("ore libere al mese") == 1
    assert "Ha 4 ore libere al mese; il progetto ne chiede 10." in html


@pytest.mark.parametrize("query,found", [("Ada", ["Ada Test"]), ("python", ["Ada Test", "Lia Test"]),
                                         ("off", []), ("zz", [])])
def test_the_swap_searches_everyone_eligible_by_name_or_skill(client, auth, lab, query, found):
    auth.login("coordinator")
    ids = lab["ids"]
    html = unescape(client.get(f"/projects/{lab['project'].id}/team", query_string={
        "asked": 1, "team": [ids["Gen"], ids["Anna"]], "swap_q": query}).get_data(as_text=True))
    # Off holds Python but gives no hours: not eligible unless the search is widened;
    # Gen is already in the team
    status = re.search(r'id="swap-found">([^<]+)<', html).group(1)
    assert status.startswith(f"{len(found)} person")
    options = re.findall(r'<option value="\d+">([^<]+)</option>',
                         html.split('id="swap_in"', 1)[1].split("</select>", 1)[0]) if found else []
    assert options[:len(found)] == found


def test_swapping_a_member_recomputes_the_coverage(client, auth, lab):
    auth.login("coordinator")
    ids = lab["ids"]
    html = client.get(f"/projects/{lab['project'].id}/team", query_string={
        "asked": 1, "team": [ids["Gen"], ids["Anna"]], "swap_out": ids["Anna"],
        "swap_in": ids["Ada"]}).get_data(as_text=True)
    assert "Il tuo gruppo" in html
    assert sorted(team_names(html)) == ["Ada Test", "Gen Test"]
    assert coverage(html) == "71%"   # (3 + 2) / 7


def test_saving_invites_and_the_employee_answers(client, auth, lab, post_form):
    project, ids = lab["project"], lab["ids"]
    auth.login("coordinator")
    resp = post_form(f"/projects/{project.id}/team",
                     {"members": [ids["Gen"], ids["Anna"]], "growth": f"{ids['Lia']}:{ids['Gen']}",
                      "team_version": 0},
                     page=f"/projects/{project.id}/team")
    assert resp.status_code == 302
    rows = {m.person_id: (m.status, m.role) for m in db.session.scalars(sa.select(TeamMember))}
    assert rows == {ids["Gen"]: ("invited", "mentor"), ids["Anna"]: ("invited", "member"),
                    ids["Lia"]: ("invited", "growth")}

    auth.logout()
    auth.login("employee")   # Anna
    home = client.get("/").get_data(as_text=True)
    assert "Laboratorio digitale" in home and "Rifiuta" in home
    tm = db.session.scalar(sa.select(TeamMember).where(TeamMember.person_id == ids["Anna"]))
    assert post_form(f"/projects/invitations/{tm.id}/decline", {}, page="/").status_code == 302
    assert db.session.get(TeamMember, tm.id).status == "declined"

    auth.logout()
    auth.login("coordinator")
    html = client.get(f"/projects/{project.id}/team").get_data(as_text=True)
    assert "1 posto libero" in html
    names = team_names(html)
    assert "Gen Test" in names and "Anna Rossi" not in names   # Gen stays, Anna is left out


def test_accepting_an_invitation(client, auth, lab, post_form):
    tm = TeamMember(project_id=lab["project"].id, person_id=lab["ids"]["Anna"], status="invited")
    db.session.add(tm)
    db.session.commit()
    auth.login("employee")
    assert post_form(f"/projects/invitations/{tm.id}/accept", {}, page="/").status_code == 302
    assert db.session.get(TeamMember, tm.id).status == "accepted"
    assert "Accetta" not in client.get("/").get_data(as_text=True)   # nothing left to answer


def test_nobody_answers_someone_elses_invitation(client, auth, lab, post_form):
    tm = TeamMember(project_id=lab["project"].id, person_id=lab["ids"]["Gen"], status="invited")
    db.session.add(tm)
    db.session.commit()
    auth.login("employee")
    assert post_form(f"/projects/invitations/{tm.id}/accept", {}, page="/").status_code == 404
    assert db.session.get(TeamMember, tm.id).status == "invited"


def test_opening_a_person_from_the_team_is_audited(client, auth, lab, users):
    auth.login("coordinator")
    gen = lab["ids"]["Gen"]
    html = client.get(f"/projects/{lab['project'].id}/team/people/{gen}").get_data(as_text=True)
    assert "Basi di dati SQL" in html
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "profile.viewed"))
    assert event.subject_person_id == gen and event.actor_id == users["coordinator"].id


@pytest.mark.parametrize("query,message", [
    ({"pins": "GEN", "excludes": "GEN"}, "Una persona non può essere sia tenuta sia esclusa."),
    ({"pins": ["GEN", "ADA", "SAM"]}, "Hai tenuto 3 persone ma il gruppo ha 2 posti."),
    ({"max_per_unit": 0}, "Inserisci da 1 a 50 persone, oppure lascia vuoto."),
    ({"max_per_unit": "molti"}, "Inserisci da 1 a 50 persone, oppure lascia vuoto."),
    ({"growth_places": 11}, "Inserisci da 0 a 10 posti."),
    ({"pins": ["GEN", "ADA"], "max_per_unit": 1}, "superano già questo limite"),
    ({"pins": "999999"}, "Questa persona non fa parte della cooperativa."),
])
def test_bad_team_options_are_refused_with_a_message(client, auth, lab, query, message):
    names = {"GEN": lab["ids"]["Gen"], "ADA": lab["ids"]["Ada"], "SAM": lab["ids"]["Sam"]}
    fix = {k: ([names.get(x, x) for x in v] if isinstance(v, list) else names.get(v, v))
           for k, v in query.items()}
    auth.login("coordinator")
    resp = client.get(f"/projects/{lab['project'].id}/team", query_string={"asked": 1, **fix})
    html = resp.get_data(as_text=True)
    assert message in html
    assert 'id="suggested-title"' not in html


@pytest.mark.parametrize("data", [
    {"members": []},
    {"members": ["999999"]},
    {"members": ["GEN", "ADA", "SAM"]},            # more than the 2 places
    {"members": ["GEN"], "growth": "LIA:SAM"},     # the mentor is not in the team
    {"members": ["GEN"], "growth": "nonsense"},
])
def test_saving_a_bad_team_saves_nothing(client, auth, lab, post_form, data):
    ids = {"GEN": lab["ids"]["Gen"], "ADA": lab["ids"]["Ada"], "SAM": lab["ids"]["Sam"],
           "LIA": lab["ids"]["Lia"]}

    def fix(v):
        for k, i in ids.items():
            v = v.replace(k, str(i))
        return v
    data = {k: ([fix(x) for x in v] if isinstance(v, list) else fix(v)) for k, v in data.items()}
    data["team_version"] = 0
    auth.login("coordinator")
    post_form(f"/projects/{lab['project'].id}/team", data, page=f"/projects/{lab['project'].id}/team")
    assert db.session.scalar(sa.select(sa.func.count(TeamMember.id))) == 0


@pytest.mark.parametrize("role,status", [("employee", 403), ("coordinator", 200),
                                         ("manager", 200), ("admin", 200)])
def test_who_sees_the_suggestion_page(client, auth, lab, role, status):
    auth.login(role)
    assert client.get(f"/projects/{lab['project'].id}/team").status_code == status
    assert client.get(f"/projects/{lab['project'].id}/team/people/{lab['ids']['Gen']}"
                      ).status_code == status


def test_other_coordinators_neither_see_nor_save_the_team(client, auth, lab, org, post_form):
    from skillmap.models import User
    from tests.conftest import PASSWORD

    other = User(organisation_id=org.id, email="altro@test.coop", role="coordinator")
    other.set_password(PASSWORD)
    db.session.add(other)
    db.session.commit()
    auth.login("altro@test.coop")
    assert client.get(f"/projects/{lab['project'].id}/team").status_code == 403
    token_page = "/projects/"
    resp = post_form(f"/projects/{lab['project'].id}/team", {"members": [lab["ids"]["Gen"]],
                                                             "team_version": 0},
                     page=token_page)
    assert resp.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(TeamMember.id))) == 0


def test_managers_see_the_suggestion_but_cannot_save(client, auth, lab):
    auth.login("manager")
    html = client.get(f"/projects/{lab['project'].id}/team").get_data(as_text=True)
    assert "Gruppo suggerito" in html and "Salva il gruppo e invia gli inviti" not in html


def test_saving_from_an_old_page_shows_the_current_team_and_saves_nothing(client, auth, lab,
                                                                         post_form):
    """Two tabs drawn at version 0: the second save is refused, never mixed with the first."""
    project, ids = lab["project"], lab["ids"]
    page = f"/projects/{project.id}/team"
    auth.login("coordinator")
    assert 'name="team_version" value="0"' in client.get(page).get_data(as_text=True)
    first = post_form(page, {"members": [ids["Gen"], ids["Anna"]], "team_version": 0})
    assert first.status_code == 302
    second = post_form(page, {"members": [ids["Ada"], ids["Sam"]], "team_version": 0})
    html = unescape(second.get_data(as_text=True))
    assert second.status_code == 409
    assert "Il gruppo è stato cambiato nel frattempo da un'altra persona" in html
    current = html.split('id="current-title"', 1)[1].split("</section>", 1)[0]
    assert "Gen Test" in current and "Anna Rossi" in current and "Ada Test" not in current
    assert 'name="team_version" value="1"' in html   # the page now carries the new version
    rows = {m.person_id: m.status for m in db.session.scalars(sa.select(TeamMember))}
    assert rows == {ids["Gen"]: "invited", ids["Anna"]: "invited"}
    assert db.session.get(Project, project.id).team_version == 1


@pytest.mark.parametrize("version", ["", "abc", "7"])
def test_saving_without_the_current_version_is_refused(client, auth, lab, post_form, version):
    page = f"/projects/{lab['project'].id}/team"
    auth.login("coordinator")
    resp = post_form(page, {"members": [lab["ids"]["Gen"]], "team_version": version})
    assert resp.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(TeamMember.id))) == 0
    assert db.session.get(Project, lab["project"].id).team_version == 0


def test_an_answer_changes_the_team_version(client, auth, lab, post_form):
    """A coordinator's page drawn before Anna declined cannot re-invite her unseen."""
    tm = TeamMember(project_id=lab["project"].id, person_id=lab["ids"]["Anna"], status="invited")
    db.session.add(tm)
    db.session.commit()
    auth.login("employee")
    assert post_form(f"/projects/invitations/{tm.id}/decline", {}, page="/").status_code == 302
    assert db.session.get(Project, lab["project"].id).team_version == 1
    again = post_form(f"/projects/invitations/{tm.id}/accept", {}, page="/")
    assert again.status_code == 302
    assert "Hai già risposto a questo invito." in client.get("/").get_data(as_text=True)
    assert db.session.get(TeamMember, tm.id).status == "declined"


def test_a_suggestion_audits_everyone_it_names_and_they_see_it(client, auth, lab, users):
    auth.login("coordinator")
    html = client.get(f"/projects/{lab['project'].id}/team").get_data(as_text=True)
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "team.suggested")).all()
    named = {e.subject_person_id for e in events}
    assert len(events) == len(named)                  # one row per person named
    shown = {name for name, p in lab["people"].items() if f"{name} Test" in html
             or (name == "Anna" and "Anna Rossi" in html)}
    assert {lab["ids"][n] for n in shown} <= named and lab["ids"]["Gen"] in named
    assert all(e.actor_id == users["coordinator"].id for e in events)
    auth.logout()
    auth.login("employee")                            # Anna, named in the suggestion
    page = client.get("/profile").get_data(as_text=True)
    assert "Ti ha visto nella proposta di un gruppo di lavoro" in page and "Bruno Bianchi" in page


def test_the_engine_runs_once_per_distinct_question_not_per_edit(client, auth, lab, taxonomy,
                                                                  monkeypatch):
    """Cached by what the engine is given: an edit that changes nothing it reads (a skill
    no requirement asks for) reuses the answer; an edit of a required skill does not."""
    from skillmap.services import teams

    calls = []
    real = teams.suggest_team
    monkeypatch.setattr(teams, "suggest_team", lambda *a, **k: calls.append(1) or real(*a, **k))
    auth.login("coordinator")
    path = f"/projects/{lab['project'].id}/team"
    first = client.get(path).get_data(as_text=True)
    assert len(calls) == 1
    client.get(path)
    assert len(calls) == 1                               # same data, same options
    db.session.add(PersonSkill(person_id=lab["ids"]["Gen"], skill_id=taxonomy["CARE-HOME"].id,
                               level=4))                  # no requirement asks for it
    db.session.commit()
    assert team_names(client.get(path).get_data(as_text=True)) == team_names(first)
    assert len(calls) == 1
    db.session.add(PersonSkill(person_id=lab["ids"]["Sam"], skill_id=taxonomy["ICT-PY"].id,
                               level=5))                  # Sam now covers Python and SQL 2
    db.session.commit()
    client.get(path)
    assert len(calls) == 2
    client.get(path + "?asked=1&max_per_unit=1")        # another option: another question
    assert len(calls) == 3
