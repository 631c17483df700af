"""Who may do what: the expected answer of every endpoint, for every role and kind of id.

``tests/web/test_access_matrix.py`` walks every rule of ``app.url_map`` with every method it
accepts, signed in as each role (and anonymous), with the ids listed in ``IDS``, and compares
each answer with ``MATRIX`` below. A new endpoint without its rows makes that test fail and
print the lines to add.

**Adding an endpoint**: one line per (endpoint, method, ids). Endpoints with no id in their
URL, query or form have one row with ``ids`` = ``-``; endpoints with ids have one row per kind
of id their arguments know (``own``, ``other``, ``foreign``, see ``IDS``) and one ``cross``
row when ``CROSS`` mixes their ids. A new argument name needs an entry in ``IDS`` (or
``VALUES`` for words such as ``kind``); a form worth posting for real goes in ``FORMS``.

Answers (one column per role):
  ``200``, ``302``, ``400``, ``403``, ``404``, ...  the HTTP status
  ``login``  a redirect to the sign-in page (``/login``), what anonymous visitors get

Deny by default: a role the view's ``@roles`` does not name answers 403 (checked against the
decorators); an id of another organisation answers 404 (its existence is not told); someone
else's row inside the organisation answers 404 where the page is about "my" rows and 403
where the role may see the row but not act on it. Nothing answers 500.

Kinds of id (``ids`` column):
  ``-``        the request carries no id
  ``own``      the signed-in user's own row (their person, skill row, account, invitation),
               the project the coordinator runs (``p1``, where the employee is invited), or,
               for rows that belong to nobody (units, role targets, skills), one of their
               organisation
  ``other``    a row of someone else in the same organisation: a colleague's person, skill
               row, account, invitation, erasure request or proposal; another coordinator's
               project (``p2``, closed, none of the signed-in people in it)
  ``foreign``  every id of another organisation
  ``cross``    ids that do not belong together (see ``CROSS``)
"""
from __future__ import annotations

#: argument (URL, query or form placeholder) -> kind of id -> name of a row of the test world
#: (``me.*`` is the signed-in user's own; anonymous visitors use the employee's)
IDS = {
    "person_id": {"own": "me.person", "other": "colleague.person", "foreign": "beta.person"},
    "ps_id": {"own": "me.ps", "other": "colleague.ps", "foreign": "beta.ps"},
    "user_id": {"own": "me.user", "other": "colleague.user", "foreign": "beta.user"},
    "member_id": {"own": "me.invitation", "other": "colleague.invitation",
                  "foreign": "beta.invitation"},
    "project_id": {"own": "p1", "other": "p2", "foreign": "beta.project"},
    "requirement_id": {"own": "p1.requirement", "other": "p2.requirement",
                       "foreign": "beta.requirement"},
    "request_id": {"other": "colleague.erasure", "foreign": "beta.erasure"},
    "proposal_id": {"other": "colleague.proposal", "foreign": "beta.proposal"},
    "target_id": {"own": "target", "foreign": "beta.target"},
    "row_id": {"own": "unit2", "foreign": "beta.unit"},   # with kind=units
    "unit_id": {"own": "unit1", "foreign": "beta.unit"},
    "skill_id": {"own": "skill.free", "foreign": "beta.skill.free"},
}

#: fixed values of arguments that are not ids: (endpoint, argument) first, then argument
VALUES = {
    ("reports.export", "kind"): "matrix",
    ("reports.export", "fmt"): "csv",
    ("admin.structure_create", "kind"): "units",
    ("admin.structure_rename", "kind"): "units",
    ("admin.structure_merge", "kind"): "units",
    ("admin.structure_retire", "kind"): "units",
    # the API answers a session with 401 before it looks an id up: any id will do
    ("api.get_training_record", "record_id"): 1,
    ("api.delete_training_record", "record_id"): 1,
    "decision": "reject",
    "answer": "decline",
    "token": "no-such-token",
    "filename": "css/skillmap.css",
}

#: (endpoint, method) -> the query (GET) or form (POST) sent; ``{name}`` is replaced by the
#: id of ``IDS[name]`` for the row's kind of id (in keys too: prefixed forms). Every POST
#: carries the real CSRF token as ``csrf_token`` and as ``<prefix>-csrf_token`` for each
#: prefix its keys use (``_prefix`` names one for a form with no other field).
FORMS = {
    ("profiles.add_skill", "GET"): {"skill": "{skill_id}"},
    ("profiles.add_skill", "POST"): {"skill_id": "{skill_id}", "level": "3"},
    ("profiles.edit_skill", "POST"): {"level": "4", "version": "1"},
    ("profiles.remove_skill", "POST"): {"rm-version": "1"},
    ("profiles.settings", "POST"): {"availability_hours": "10"},
    ("profiles.propose", "POST"): {"name": "Giardinaggio", "description": "Orti"},
    ("profiles.request_erasure", "POST"): {"_prefix": "er"},
    ("profiles.withdraw_erasure", "POST"): {"_prefix": "wd"},
    ("profiles.confirm", "POST"): {"c{ps_id}-level": "2"},
    ("profiles.decide_proposal", "POST"): {"_prefix": "r{proposal_id}"},
    ("profiles.carry_out_erasure", "POST"): {"_prefix": "e{request_id}"},
    ("auth.language", "POST"): {"l-lang": "en", "next": "/"},
    ("auth.forgot_password", "POST"): {"email": "nobody@alfa.coop"},
    ("admin.users", "POST"): {"email": "nuovo@alfa.coop", "role": "employee",
                              "password": "una passphrase lunga e nuova"},
    ("admin.change_role", "POST"): {"role": "coordinator"},
    ("admin.user_detail", "POST"): {"link-person_id": "{person_id}"},
    ("admin.person", "POST"): {"first_name": "Nome", "last_name": "Cambiato",
                               "unit_id": "{unit_id}", "work_relationship": ""},
    ("admin.person_new", "POST"): {"first_name": "Nuova", "last_name": "Persona",
                                   "unit_id": "{unit_id}", "work_relationship": ""},
    ("admin.person_end", "POST"): {"end-end_date": "2030-12-31"},
    ("admin.person_invite", "POST"): {"inv-role": "employee"},
    ("admin.person_extend", "POST"): {"ext-until": "2031-12-31", "ext-reason": "Contenzioso"},
    ("admin.structure_create", "POST"): {"new-name": "Nuova unità"},
    ("admin.structure_rename", "POST"): {"r{row_id}-name": "Unità rinominata"},
    ("admin.structure_merge", "POST"): {"m{row_id}-target": "{unit_id}"},
    ("projects.new", "POST"): {"title": "Nuovo progetto", "team_size": "3", "status": "idea",
                               "hours_per_month": "4"},
    ("projects.edit", "POST"): {"title": "Orto cambiato", "team_size": "4",
                                "status": "staffing", "hours_per_month": "4"},
    ("projects.add_requirement", "POST"): {"req-skill": "{skill_id}", "req-min_level": "3",
                                           "req-weight": "3", "req-count": "1"},
    ("projects.team", "GET"): {"asked": "1", "pins": "{person_id}"},
    ("projects.save_team", "POST"): {"members": "{person_id}", "team_version": "0"},
    ("projects.propose", "POST"): {"title": "Idea", "description": "Una idea nuova"},
    ("reports.people", "GET"): {"kind": "holders", "skill": "{skill_id}"},
    ("reports.role_target_list", "POST"): {"job_title": "Educatore", "skill": "{skill_id}",
                                           "min_level": "3"},
    ("reports.role_target_edit", "POST"): {"min_level": "4"},
}

#: (endpoint, method) -> argument -> kind of id: the ``cross`` row mixes ids
CROSS = {
    # a colleague's page with my own skill row, or with another organisation's
    ("profiles.confirm", "POST"): {"person_id": "other", "ps_id": "own"},
    # my project with another project's requirement
    ("projects.remove_requirement", "POST"): {"project_id": "own", "requirement_id": "other"},
    # my project with a skill or a person of another organisation
    ("projects.add_requirement", "POST"): {"project_id": "own", "skill_id": "foreign"},
    ("projects.team", "GET"): {"project_id": "own", "person_id": "foreign"},
    ("projects.save_team", "POST"): {"project_id": "own", "person_id": "foreign"},
    ("projects.team_person", "GET"): {"project_id": "own", "person_id": "foreign"},
    # a person of my organisation moved to a unit of another
    ("admin.person", "POST"): {"person_id": "other", "unit_id": "foreign"},
    # an account of my organisation linked to a person of another
    ("admin.user_detail", "POST"): {"user_id": "other", "person_id": "foreign"},
    # my unit merged into another organisation's
    ("admin.structure_merge", "POST"): {"row_id": "own", "unit_id": "foreign"},
}

ROLES = ("anonymous", "employee", "coordinator", "manager", "admin")

MATRIX = """
# endpoint                          method ids      anonymous employee coordinator manager admin
# -- admin
admin.audit_csv                     GET    -        login     403      403         403     200
admin.audit_log                     GET    -        login     403      403         403     200
admin.change_role                   POST   own      login     403      403         403     302
admin.change_role                   POST   other    login     403      403         403     302
admin.change_role                   POST   foreign  login     403      403         403     404
admin.invite_all                    POST   -        login     403      403         403     302
admin.job_titles                    GET    -        login     403      403         200     200
admin.people                        GET    -        login     403      403         200     200
admin.person                        GET    own      login     403      403         200     200
admin.person                        GET    other    login     403      403         200     200
admin.person                        GET    foreign  login     403      403         404     404
admin.person                        POST   own      login     403      403         403     302
admin.person                        POST   other    login     403      403         403     302
admin.person                        POST   foreign  login     403      403         404     404  # found (404) before the role (403)
admin.person                        POST   cross    login     403      403         403     200  # a unit of Beta: not a choice
admin.person_end                    POST   own      login     403      403         403     302
admin.person_end                    POST   other    login     403      403         403     302
admin.person_end                    POST   foreign  login     403      403         403     404
admin.person_extend                 POST   own      login     403      403         403     302
admin.person_extend                 POST   other    login     403      403         403     302
admin.person_extend                 POST   foreign  login     403      403         403     404
admin.person_invite                 POST   own      login     403      403         403     302
admin.person_invite                 POST   other    login     403      403         403     302
admin.person_invite                 POST   foreign  login     403      403         403     404
admin.person_new                    GET    -        login     403      403         403     200
admin.person_new                    POST   own      login     403      403         403     302
admin.person_new                    POST   foreign  login     403      403         403     200
admin.retention_due                 GET    -        login     403      403         403     200
admin.sign_ins                      GET    -        login     403      403         403     200
admin.structure_create              POST   -        login     403      403         403     302
admin.structure_merge               POST   own      login     403      403         403     302
admin.structure_merge               POST   foreign  login     403      403         403     404
admin.structure_merge               POST   cross    login     403      403         403     302  # refused with a message
admin.structure_rename              POST   own      login     403      403         403     302
admin.structure_rename              POST   foreign  login     403      403         403     404
admin.structure_retire              POST   own      login     403      403         403     302
admin.structure_retire              POST   foreign  login     403      403         403     404
admin.toggle_active                 POST   own      login     403      403         403     302
admin.toggle_active                 POST   other    login     403      403         403     302
admin.toggle_active                 POST   foreign  login     403      403         403     404
admin.units                         GET    -        login     403      403         200     200
admin.user_detail                   GET    own      login     403      403         403     200
admin.user_detail                   GET    other    login     403      403         403     200
admin.user_detail                   GET    foreign  login     403      403         403     404
admin.user_detail                   POST   own      login     403      403         403     302
admin.user_detail                   POST   other    login     403      403         403     302
admin.user_detail                   POST   foreign  login     403      403         403     404
admin.user_detail                   POST   cross    login     403      403         403     200  # a person of Beta: not a choice
admin.user_reset                    POST   own      login     403      403         403     302
admin.user_reset                    POST   other    login     403      403         403     302
admin.user_reset                    POST   foreign  login     403      403         403     404
admin.users                         GET    -        login     403      403         403     200
admin.users                         POST   -        login     403      403         403     302

# -- api (bearer tokens only: a session, signed in or not, gets 401)
api.create_training_record          POST   -        401       401      401         401     401
api.delete_training_record          DELETE -        401       401      401         401     401
api.get_training_record             GET    -        401       401      401         401     401
api.list_training_courses           GET    -        401       401      401         401     401
api.list_training_records           GET    -        401       401      401         401     401

# -- auth
auth.account                        GET    -        login     200      200         200     200
auth.account                        POST   -        login     200      200         200     200
auth.forgot_password                GET    -        200       200      200         200     200
auth.forgot_password                POST   -        login     login    login       login   login
auth.language                       POST   -        login     302      302         302     302
auth.login                          GET    -        200       302      302         302     302
auth.login                          POST   -        200       302      302         302     302
auth.logout                         POST   -        login     login    login       login   login
auth.set_password                   GET    -        410       410      410         410     410  # an unknown link is gone
auth.set_password                   POST   -        410       410      410         410     410

# -- health
health.healthz                      GET    -        503       503      503         503     503  # not built by migrations here

# -- insights
insights.families                   GET    -        login     403      200         200     200
insights.recompute                  POST   -        login     403      403         302     302
insights.recompute_status           GET    -        login     403      403         200     200
insights.recompute_status_json      GET    -        login     403      403         200     200

# -- main
main.home                           GET    -        login     200      200         200     200
main.privacy                        GET    -        login     200      200         200     200
main.privacy                        POST   -        login     302      302         302     302

# -- profiles
profiles.add_skill                  GET    own      login     200      200         200     200
profiles.add_skill                  GET    foreign  login     302      302         302     302  # to the search, as an unknown skill
profiles.add_skill                  POST   own      login     302      302         302     302
profiles.add_skill                  POST   foreign  login     200      200         200     200  # "not in the list"
profiles.carry_out_erasure          POST   other    login     403      403         403     302
profiles.carry_out_erasure          POST   foreign  login     403      403         403     404
profiles.confirm                    POST   own      login     403      403         403     403  # nobody confirms their own
profiles.confirm                    POST   other    login     403      302         302     403
profiles.confirm                    POST   foreign  login     403      404         404     403
profiles.confirm                    POST   cross    login     403      404         404     403
profiles.decide_proposal            POST   other    login     403      403         403     302
profiles.decide_proposal            POST   foreign  login     403      403         403     404
profiles.edit_skill                 GET    own      login     200      200         200     200
profiles.edit_skill                 GET    other    login     404      404         404     404
profiles.edit_skill                 GET    foreign  login     404      404         404     404
profiles.edit_skill                 POST   own      login     302      302         302     302
profiles.edit_skill                 POST   other    login     404      404         404     404
profiles.edit_skill                 POST   foreign  login     404      404         404     404
profiles.export_csv                 GET    -        login     200      200         200     200
profiles.export_json                GET    -        login     200      200         200     200
profiles.mine                       GET    -        login     200      200         200     200
profiles.my_data                    GET    -        login     200      200         200     200
profiles.people                     GET    -        login     200      200         200     200
profiles.person                     GET    own      login     403      302         302     302  # to /profile
profiles.person                     GET    other    login     403      200         200     200
profiles.person                     GET    foreign  login     403      404         404     404
profiles.propose                    GET    -        login     200      200         200     200
profiles.propose                    POST   -        login     302      302         302     302
profiles.remove_skill               POST   own      login     302      302         302     302
profiles.remove_skill               POST   other    login     404      404         404     404
profiles.remove_skill               POST   foreign  login     404      404         404     404
profiles.request_erasure            POST   -        login     302      302         302     302
profiles.review_erasures            GET    -        login     403      403         403     200
profiles.review_proposals           GET    -        login     403      403         403     200
profiles.search                     GET    -        login     200      200         200     200
profiles.search_json                GET    -        login     200      200         200     200
profiles.settings                   GET    -        login     200      200         200     200
profiles.settings                   POST   -        login     302      302         302     302
profiles.withdraw_erasure           POST   -        login     302      302         302     302

# -- projects
projects.add_requirement            POST   own      login     403      302         403     403
projects.add_requirement            POST   other    login     403      403         403     403
projects.add_requirement            POST   foreign  login     403      404         403     403
projects.add_requirement            POST   cross    login     403      200         403     403  # a skill of Beta: not a choice
projects.detail                     GET    own      login     200      200         200     200
projects.detail                     GET    other    login     404      404         200     200  # closed, not theirs
projects.detail                     GET    foreign  login     404      404         404     404
projects.edit                       GET    own      login     403      200         403     403
projects.edit                       GET    other    login     403      403         403     403
projects.edit                       GET    foreign  login     403      404         403     403
projects.edit                       POST   own      login     403      302         403     403
projects.edit                       POST   other    login     403      403         403     403
projects.edit                       POST   foreign  login     403      404         403     403
projects.index                      GET    -        login     403      200         200     200
projects.interest                   POST   own      login     302      403         403     403
projects.interest                   POST   other    login     302      403         403     403
projects.interest                   POST   foreign  login     404      403         403     403
projects.new                        GET    -        login     403      200         403     403
projects.new                        POST   -        login     403      302         403     403
projects.open_projects              GET    -        login     200      403         403     403
projects.propose                    GET    -        login     200      200         200     200
projects.propose                    POST   -        login     302      302         302     302
projects.remove_requirement         POST   own      login     403      302         403     403
projects.remove_requirement         POST   other    login     403      403         403     403
projects.remove_requirement         POST   foreign  login     403      404         403     403
projects.remove_requirement         POST   cross    login     403      404         403     403
projects.respond                    POST   own      login     302      302         302     302
projects.respond                    POST   other    login     404      404         404     404
projects.respond                    POST   foreign  login     404      404         404     404
projects.save_team                  POST   own      login     403      302         403     403
projects.save_team                  POST   other    login     403      403         403     403
projects.save_team                  POST   foreign  login     403      404         403     403
projects.save_team                  POST   cross    login     403      302         403     403  # refused with a message
projects.take_up                    POST   own      login     403      302         403     403  # not an idea: refused with a message
projects.take_up                    POST   other    login     403      302         403     403
projects.take_up                    POST   foreign  login     403      404         403     403
projects.team                       GET    own      login     403      200         200     200
projects.team                       GET    other    login     403      403         200     200
projects.team                       GET    foreign  login     403      404         404     404
projects.team                       GET    cross    login     403      200         200     200  # refused on the page
projects.team_person                GET    own      login     403      200         200     200
projects.team_person                GET    other    login     403      403         200     200
projects.team_person                GET    foreign  login     403      404         404     404
projects.team_person                GET    cross    login     403      404         404     404
projects.withdraw                   POST   own      login     302      403         403     403
projects.withdraw                   POST   other    login     302      403         403     403
projects.withdraw                   POST   foreign  login     404      403         403     403

# -- reports
reports.export                      GET    -        login     403      403         200     200
reports.families                    GET    -        login     403      403         200     200
reports.gaps                        GET    -        login     403      403         200     200
reports.growth                      GET    -        login     403      403         200     200
reports.matrix                      GET    -        login     403      403         200     200
reports.people                      GET    own      login     403      403         200     200
reports.people                      GET    foreign  login     403      403         404     404
reports.role_target_delete          POST   own      login     403      403         302     302
reports.role_target_delete          POST   foreign  login     403      403         404     404
reports.role_target_edit            GET    own      login     403      403         200     200
reports.role_target_edit            GET    foreign  login     403      403         404     404
reports.role_target_edit            POST   own      login     403      403         302     302
reports.role_target_edit            POST   foreign  login     403      403         404     404
reports.role_target_list            GET    -        login     403      403         200     200
reports.role_target_list            POST   own      login     403      403         302     302
reports.role_target_list            POST   foreign  login     403      403         200     200
reports.trends                      GET    -        login     403      403         200     200

# -- static
static                              GET    -        200       200      200         200     200
"""
