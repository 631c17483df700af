"""Deny by default: anonymous visitors reach only the login page, the two password pages
("forgot password" and a one-time link), /healthz and static files."""
import pytest
from werkzeug.routing import Rule

from skillmap.web.access import ALL_ROLES

PUBLIC = {"auth.login", "auth.forgot_password", "auth.set_password", "health.healthz", "static",
          "api_docs.openapi_json"}  # the OpenAPI document holds no data


def _sample_url(rule: Rule) -> str:
    values = {arg: 1 for arg in rule.arguments}
    if "filename" in rule.arguments:
        values["filename"] = "css/skillmap.css"
    return rule.build(values)[1]


def test_every_endpoint_refuses_anonymous_users(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            resp = client.open(_sample_url(rule), method=method)
            assert resp.status_code in (302, 401, 400), (rule.rule, method, resp.status_code)
            if resp.status_code == 302:
                assert "/login" in resp.headers["Location"], rule.rule
            checked += 1
    assert checked >= 5


def test_every_view_declares_who_may_use_it(app):
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        allowed = getattr(view, "allowed_roles", None)
        assert allowed == "public" or (allowed and set(allowed) <= set(ALL_ROLES)), endpoint


def test_login_page_answers_anonymous_users(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    assert 'name="csrf_token"' in resp.get_data(as_text=True)


@pytest.mark.parametrize("role,status", [("employee", 403), ("coordinator", 403),
                                         ("manager", 403), ("admin", 200)])
def test_admin_pages_only_for_admins(client, auth, users, role, status):
    auth.login(role)
    assert client.get("/admin/users").status_code == status


def test_undeclared_view_is_forbidden(app, client, auth, users):
    @app.route("/forgotten-decorator")
    def forgotten():
        return "should never be seen"

    auth.login("admin")
    resp = client.get("/forgotten-decorator")
    assert resp.status_code == 403
    assert "should never be seen" not in resp.get_data(as_text=True)
