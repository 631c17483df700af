"""Pages of the skills engine: families, the recompute button, grow-next and backups panels."""
import re

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent, Job, Person
from skillmap.services import jobs, recompute
from tests.conftest import give, run_jobs


@pytest.fixture
def people(org, taxonomy, users):
    """Six care workers, six ICT people; Anna (employee) holds two care skills."""
    out = []
    for i in range(12):
        p = Person(organisation_id=org.id, first_name=f"Persona{i}", last_name="Prova")
        db.session.add(p)
        db.session.commit()
        give(p, taxonomy, {"CARE-HOME": 3, "CARE-FIRST": 2, "ICT-SQL": 2} if i < 6
             else {"ICT-PY": 3, "ICT-SQL": 4, "ICT-NET": 2})
        out.append(p)
    give(users["employee"].person, taxonomy, {"CARE-HOME": 3, "CARE-FIRST": 3})
    return out


def text(resp):
    return re.sub(r"\s+", " ", resp.get_data(as_text=True))


@pytest.mark.parametrize("role,status", [("employee", 403), ("coordinator", 200),
                                         ("manager", 200), ("admin", 200)])
def test_families_page_roles(client, auth, users, role, status):
    auth.login(role)
    assert client.get("/insights/families").status_code == status


@pytest.mark.parametrize("role,status", [("employee", 403), ("coordinator", 403),
                                         ("manager", 302), ("admin", 302)])
def test_recompute_button_roles(app, client, auth, users, post_form, role, status):
    run_jobs()  # the automatic run after the accounts were made
    auth.login(role)
    resp = post_form("/insights/recompute", {}, page="/")
    assert resp.status_code == status
    queued = db.session.scalars(sa.select(Job).where(Job.state == "queued")).all()
    assert [j.requested_by_id for j in queued] == ([users[role].id] if status == 302 else [])


@pytest.mark.parametrize("path", ["/insights/recompute", "/insights/recompute/status.json"])
def test_manager_pages_refuse_employees_and_coordinators(client, auth, users, path):
    for role in ("employee", "coordinator"):
        auth.login(role)
        assert client.get(path).status_code == 403, (role, path)
        auth.logout()


def test_recompute_needs_the_csrf_token(client, auth, users):
    run_jobs()  # the automatic run after the accounts were made
    auth.login("manager")
    assert client.post("/insights/recompute", data={}).status_code == 400
    assert jobs.latest(users["manager"].organisation_id, recompute.KIND).state == "done"


def test_nav_offers_families_to_coordinators_not_employees(client, auth, users):
    auth.login("coordinator")
    assert 'href="/insights/families"' in text(client.get("/"))
    auth.logout()
    auth.login("employee")
    assert 'href="/insights/families"' not in text(client.get("/"))


def test_families_page_before_any_computation(client, auth, users):
    auth.login("coordinator")
    page = text(client.get("/insights/families"))
    assert "non sono ancora state calcolate" in page
    assert "Ricalcola ora" not in page  # only managers get the button


def test_button_queues_a_job_and_the_page_shows_families(app, client, auth, people,
                                                          post_form, org, taxonomy):
    auth.login("manager")
    resp = post_form("/insights/recompute", {}, page="/insights/families")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/insights/recompute")
    status = client.get("/insights/recompute/status.json").get_json()
    assert status["state"] == "queued" and "In attesa" in status["message"]
    assert "Ricalcola ora" not in text(client.get("/insights/recompute"))  # no second start
    run_jobs()  # what the queue's consumer does
    status = client.get("/insights/recompute/status.json").get_json()
    assert status["state"] == "done" and status["step"] == status["steps"] == 4
    page = text(client.get("/insights/recompute"))
    assert "Ricalcolo terminato" in page and 'aria-live="polite"' in page

    page = text(client.get("/insights/families"))
    assert 'role="img"' in page and "<title" in page and "aria-label=" in page
    assert "Aggiornato" in page
    table = page[page.index('id="families-table"'):page.index("</table>", page.index(
        'id="families-table"'))]
    rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    families = recompute.family_result(org.id).payload["families"]
    assert len(rows) == len(families) >= 1
    names = {s.id: s.name_it for s in taxonomy.values()}
    for row, fam in zip(rows, families):
        label = f"Famiglia {fam['id'] + 1}" if fam["id"] >= 0 else "Trasversali (T)"
        assert label in row and ", ".join(names[m] for m in fam["members"]) in row


def test_families_page_lists_bridging_skills_from_the_cache(client, auth, users, taxonomy, org):
    t = {code: s.id for code, s in taxonomy.items()}
    recompute._store(org.id, {
        "people": 9,
        "families": [{"id": 0, "size": 2, "members": [t["ICT-PY"], t["ICT-SQL"]],
                      "central": [t["ICT-PY"]]},
                     {"id": 1, "size": 2, "members": [t["CARE-HOME"], t["CARE-FIRST"]],
                      "central": [t["CARE-HOME"]]},
                     {"id": -1, "size": 1, "members": [t["ICT-NET"]], "central": [t["ICT-NET"]]}],
        "bridges": [{"skill": t["ICT-SQL"], "family": 0, "connects": [0, 1]}],
        "edges": [[t["ICT-PY"], t["ICT-SQL"]]],
        "positions": {str(i): [i / 10, 1 - i / 10] for i in t.values()}}, 10 ** 6)
    db.session.commit()
    auth.login("coordinator")
    page = text(client.get("/insights/families"))
    bridges = page[page.index('id="bridges-table"'):].split("</table>")[0]
    assert re.search(r"<td>Basi di dati SQL</td> <td>1</td> <td>1, 2</td>", bridges), bridges
    assert "dai profili di 9 persone" in page
    assert page.count("<line ") == 1
    assert page.count("<polygon ") + page.count("<circle ") >= 5


def test_families_page_in_english_and_marked_stale_after_a_change(app, client, auth, people,
                                                                  users, taxonomy, org):
    run_jobs()
    users["coordinator"].locale = "en"
    db.session.commit()
    auth.login("coordinator")
    page = text(client.get("/insights/families"))
    assert "Up to date" in page and "Home care" in page and "Skill families" in page
    give(people[0], taxonomy, {"ICT-NET": 1})
    page = text(client.get("/insights/families"))
    assert "Out of date" in page and "A new computation is on its way" in page
    run_jobs()
    assert "Up to date" in text(client.get("/insights/families"))


def test_a_running_recomputation_shows_its_step_and_a_dead_one_can_restart(
        app, client, auth, users, post_form, org):
    run_jobs()
    job, _ = recompute.request(org.id)
    db.session.commit()
    db.session.execute(sa.update(Job).where(Job.id == job.id).values(
        state="running", step=2, label="families", started_at=jobs.utcnow(),
        heartbeat_at=jobs.utcnow()))
    db.session.commit()
    auth.login("manager")
    page = text(client.get("/insights/recompute"))
    assert "Passo 2 di 4: Ricerca delle famiglie di competenze" in page
    assert "Ricalcola ora" not in page
    # its consumer is killed: no heartbeat for longer than JOB_DEAD_AFTER
    db.session.execute(sa.update(Job).where(Job.id == job.id).values(
        heartbeat_at=jobs.utcnow() - jobs.timedelta(seconds=app.config["JOB_DEAD_AFTER"] + 1)))
    db.session.commit()
    page = text(client.get("/insights/recompute"))
    assert "si è interrotto" in page and "Ricalcola ora" in page
    assert post_form("/insights/recompute", {}, page="/insights/recompute").status_code == 302
    run_jobs()
    assert client.get("/insights/recompute/status.json").get_json()["state"] == "done"
    assert db.session.get(Job, job.id).state == "failed"


def test_employee_home_suggests_skills_with_a_reason(client, auth, people):
    auth.login("employee")
    page = text(client.get("/"))
    assert "Competenze che potresti sviluppare" in page
    assert re.search(r"Chi ha (Assistenza domiciliare e Primo soccorso|Primo soccorso e "
                     r"Assistenza domiciliare) spesso ha anche Basi di dati SQL\.", page), page


def test_employee_without_skills_is_told_how_to_get_suggestions(client, auth, users):
    auth.login("employee")
    assert "Aggiungi qualche competenza" in text(client.get("/"))


def test_own_profile_suggests_skills_with_a_reason(client, auth, people):
    auth.login("employee")
    page = text(client.get("/profile"))
    assert "Competenze che potresti sviluppare" in page
    assert "spesso ha anche Basi di dati SQL." in page


def test_person_page_shows_managers_who_could_back_up_the_person(client, auth, people, users):
    anna = users["employee"].person
    auth.login("manager")
    resp = client.get(f"/people/{anna.id}")
    assert resp.status_code == 200
    page = text(resp)
    assert "Chi potrebbe sostituire Anna Rossi" in page
    panel = page[page.index('id="backups"'):]
    assert "Persona0 Prova" in panel and "Assistenza domiciliare, Primo soccorso" in panel
    assert "Persona6 Prova" not in panel  # the ICT people share nothing with Anna
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "profile.viewed"))
    assert event.subject_person_id == anna.id and event.actor_id == users["manager"].id


def test_coordinators_do_not_get_the_backups_panel(client, auth, people, users):
    auth.login("coordinator")
    page = text(client.get(f"/people/{users['employee'].person.id}"))
    assert "Anna Rossi" in page and 'id="backups"' not in page


def test_families_page_shows_how_sure_each_placement_is_and_skills_without_enough_data(
        client, auth, users, taxonomy, org):
    t = {code: s.id for code, s in taxonomy.items()}
    recompute._store(org.id, {
        "people": 9,
        "families": [{"id": 0, "size": 2, "members": [t["ICT-PY"], t["ICT-SQL"]],
                      "central": [t["ICT-PY"]], "confidence": [0.853, 0.4]},
                     {"id": -1, "size": 1, "members": [t["ICT-NET"]], "central": [t["ICT-NET"]],
                      "confidence": [None]}],
        "not_enough_data": [t["CARE-HOME"]],
        "bridges": [], "edges": [],
        "positions": {str(i): [i / 10, 1 - i / 10] for i in t.values()}}, 10 ** 6)
    db.session.commit()
    auth.login("coordinator")
    page = text(client.get("/insights/families"))
    sure = page[page.index('id="sureness-table"'):].split("</table>")[0]
    assert re.search(r"<td>Programmazione Python</td> .*?Famiglia 1</td> <td>sicura</td> "
                     r'<td class="text-end">85%</td>', sure), sure
    assert re.search(r"<td>Basi di dati SQL</td> .*?<td>incerta</td> <td class=\"text-end\">40%",
                     sure), sure
    assert "Reti" not in sure  # transversal skills have no family to be sure of
    rare = page[page.index('id="not-enough-data"'):].split("</ul>")[0]
    assert "Dati ancora insufficienti" in page and "Assistenza domiciliare" in rare
    families = page[page.index('id="families-table"'):].split("</table>")[0]
    assert "Assistenza domiciliare" not in families


def test_recompute_leaves_out_a_skill_held_by_too_few(client, auth, users, org, taxonomy):
    """Eight carers and eight ICT people; two carers also hold 'Reti informatiche' (a
    stray skill): two holders are too few, so it is in no family, listed apart."""
    for i in range(16):
        p = Person(organisation_id=org.id, first_name=f"P{i}", last_name="Prova")
        db.session.add(p)
        db.session.commit()
        give(p, taxonomy, {"CARE-HOME": 3, "CARE-FIRST": 2} if i < 8
             else {"ICT-PY": 3, "ICT-SQL": 4})
        if i < 2:
            give(p, taxonomy, {"ICT-NET": 2})
    recompute.run_now(org.id)
    payload = recompute.family_result(org.id).payload
    placed = {m for f in payload["families"] for m in f["members"]}
    assert payload["not_enough_data"] == [taxonomy["ICT-NET"].id]
    assert taxonomy["ICT-NET"].id not in placed and taxonomy["CARE-HOME"].id in placed
    assert str(taxonomy["ICT-NET"].id) not in payload["positions"]
    auth.login("manager")
    page = text(client.get("/insights/families"))
    rare = page[page.index('id="not-enough-data"'):].split("</ul>")[0]
    assert "Reti informatiche" in rare
    assert "meno di 3 persone" in page


@pytest.mark.parametrize("where", ["/", "/profile"])
def test_a_suggestion_becomes_a_wish_in_one_click(client, auth, people, users, taxonomy,
                                                  post_form, where):
    from skillmap.models import PersonSkill

    anna = users["employee"].person
    sql = taxonomy["ICT-SQL"]
    auth.login("employee")
    page = text(client.get(where))
    panel = page[page.index('id="grow-next"'):].split("</section>")[0]
    assert f'name="skill_id" value="{sql.id}"' in panel and "Aggiungi ai miei desideri" in panel
    resp = post_form("/profile/skills/wish", {"skill_id": sql.id, "next": where}, page=where)
    assert resp.status_code == 302 and resp.headers["Location"] == where
    row = db.session.scalar(sa.select(PersonSkill).where(PersonSkill.person_id == anna.id,
                                                         PersonSkill.skill_id == sql.id))
    assert row.level == 0 and row.wants_to_grow
    page = text(client.get(where))
    assert "Ora tra i tuoi desideri c’è Basi di dati SQL" in page
    panel = page[page.index('id="grow-next"'):].split("</section>")[0]
    assert f'name="skill_id" value="{sql.id}"' not in panel  # a wish now: no second button
    # a second click (another tab) changes nothing and says so
    resp = post_form("/profile/skills/wish", {"skill_id": sql.id, "next": where}, page=where)
    assert "è già nel tuo profilo" in text(client.get(where))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonSkill).where(
        PersonSkill.person_id == anna.id, PersonSkill.skill_id == sql.id)) == 1


@pytest.mark.parametrize("data", [
    {"skill_id": "999999", "next": "/"},
    {"skill_id": "abc", "next": "/"},
    {"skill_id": "", "next": "https://evil.example/"},
])
def test_adding_a_wish_refuses_bad_input_and_foreign_redirects(client, auth, people, users,
                                                               post_form, data):
    from skillmap.models import PersonSkill

    anna = users["employee"].person
    auth.login("employee")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(PersonSkill).where(
        PersonSkill.person_id == anna.id))
    resp = post_form("/profile/skills/wish", data, page="/profile")
    assert resp.status_code == 302 and "evil" not in resp.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonSkill).where(
        PersonSkill.person_id == anna.id)) == before


def test_adding_a_wish_needs_the_csrf_token(client, auth, people, users, taxonomy):
    from skillmap.models import PersonSkill

    auth.login("employee")
    client.post("/profile/skills/wish", data={"skill_id": taxonomy["ICT-SQL"].id, "next": "/"})
    assert db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.person_id == users["employee"].person.id,
        PersonSkill.skill_id == taxonomy["ICT-SQL"].id)) is None
