"""Saving a team that leaves out people already invited asks first, on a page without
JavaScript (issue 15)."""
from html import unescape

import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Project, TeamMember
from tests.web.test_teams import lab  # noqa: F401  (the fixture)


def _rows():
    return {m.person_id: m.status for m in db.session.scalars(sa.select(TeamMember))}


def test_leaving_people_out_of_a_saved_team_asks_for_confirmation(client, auth, lab,  # noqa: F811
                                                                  post_form):
    project, ids = lab["project"], lab["ids"]
    page = f"/projects/{project.id}/team"
    auth.login("coordinator")
    assert post_form(page, {"members": [ids["Gen"], ids["Anna"]],
                            "team_version": 0}).status_code == 302   # nobody leaves: no question
    resp = post_form(page, {"members": [ids["Gen"], ids["Ada"]], "team_version": 1})
    html = unescape(resp.get_data(as_text=True))
    assert resp.status_code == 200 and "1 persona lascia il gruppo" in html
    leaving = html.split('id="leaving"', 1)[1].split("</ul>", 1)[0]
    assert "Anna Rossi" in leaving and "Gen Test" not in leaving
    assert 'name="confirmed" value="1"' in html and "<script" not in html.split("</main>")[0]
    assert _rows() == {ids["Gen"]: "invited", ids["Anna"]: "invited"}   # nothing saved yet
    assert db.session.get(Project, project.id).team_version == 1
    # the confirmation posts the same team again, with confirmed=1
    resp = post_form(page, {"members": [ids["Gen"], ids["Ada"]], "team_version": 1,
                            "confirmed": "1"})
    assert resp.status_code == 302
    assert _rows() == {ids["Gen"]: "invited", ids["Ada"]: "invited"}


def test_accepted_members_never_count_as_leaving(client, auth, lab, post_form):  # noqa: F811
    project, ids = lab["project"], lab["ids"]
    db.session.add(TeamMember(project_id=project.id, person_id=ids["Anna"], status="accepted"))
    db.session.commit()
    auth.login("coordinator")
    resp = post_form(f"/projects/{project.id}/team", {"members": [ids["Gen"]],
                                                      "team_version": 0})
    assert resp.status_code == 302   # Anna accepted: she stays, nobody is asked about
    assert _rows() == {ids["Anna"]: "accepted", ids["Gen"]: "invited"}


def test_a_stale_page_goes_to_the_current_team_not_to_the_question(client, auth, lab,  # noqa: F811
                                                                   post_form):
    project, ids = lab["project"], lab["ids"]
    page = f"/projects/{project.id}/team"
    auth.login("coordinator")
    post_form(page, {"members": [ids["Gen"], ids["Anna"]], "team_version": 0})
    resp = post_form(page, {"members": [ids["Ada"]], "team_version": 0})
    assert resp.status_code == 409 and 'id="leaving"' not in resp.get_data(as_text=True)
