"""Who may do what: the expected answer of every endpoint, for every role and kind of id.

``tests/web/test_access_matrix.py`` walks every rule of ``app.url_map`` with every method it
accepts, signed in as each role (and anonymous), with the ids listed in ``IDS``, and compares
each answer with ``MATRIX`` below. A new endpoint without its rows makes that test fail and
print the lines to add.

**Adding an endpoint**: one line per (endpoint, method, ids). Endpoints with no id in their
URL, query or form have one row with ``ids`` = ``-``; endpoints with ids have one row per kind
of id their arguments know (``own``, ``other``, ``foreign``, see ``IDS``) and one ``cross``
row when ``CROSS`` mixes their ids. A new argument name needs an entry in ``IDS`` (or
``VALUES`` for words such as ``kind``); a name that means another row at one endpoint
(``row_id`` of a unit minimum) goes in ``ID_FAMILIES``; a form worth posting for real goes
in ``FORMS``. The HR API (``/api/v1/``) accepts bearer tokens only: here every role, signed in
by cookie or not, must get 401 as problem details; its tokens, scopes and organisations are
tested in ``tests/web/test_api.py``.

Answers (one column per role):
  ``200``, ``302``, ``400``, ``403``, ``404``, ...  the HTTP status
  ``login``  a redirect to the sign-in page (``/login``), what anonymous visitors get
  ``401``    only as a problem details document (``application/problem+json``): the HR API

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
    "area_id": {"own": "area", "foreign": "beta.area"},
    "into_id": {"own": "skill.held", "foreign": "beta.skill.held"},  # the skill merged into
    "token_id": {"own": "token", "foreign": "beta.token"},            # an API token
    "job_id": {"own": "export", "foreign": "beta.export"},            # a finished full export
    "course_id": {"own": "course", "foreign": "beta.course"},         # a training course
    "rule_id": {"own": "rule", "foreign": "beta.rule"},               # who must take a course
    "minimum_id": {"own": "minimum", "foreign": "beta.minimum"},      # a unit's minimum
    "plan_id": {"own": "plan", "foreign": "beta.plan"},               # a training plan
    "line_id": {"own": "plan.line", "foreign": "beta.plan.line"},     # a line of it
    "record_id": {"own": "me.record", "other": "colleague.record",    # a course taken, with
                  "foreign": "beta.record"},                          # its certificate file
    "need_id": {"own": "p1.need", "other": "p2.need",                 # a project's course
                "foreign": "beta.need"},
}

#: (endpoint, argument) -> the ``IDS`` entry, where an argument's name means another row
ID_FAMILIES = {
    ("training.delete_minimum", "row_id"): "minimum_id",
}

#: fixed values of arguments that are not ids: (endpoint, argument) first, then argument
VALUES = {
    ("reports.export", "kind"): "matrix",
    ("reports.export", "fmt"): "csv",
    ("admin.structure_create", "kind"): "units",
    ("admin.structure_rename", "kind"): "units",
    ("admin.structure_merge", "kind"): "units",
    ("admin.structure_retire", "kind"): "units",
    "decision": "reject",
    "answer": "decline",
    ("admin.export_download", "fmt"): "zip",
    ("admin.import_people_template", "fmt"): "csv",
    ("training.export", "fmt"): "csv",
    ("training.export_plan_file", "fmt"): "csv",
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
    ("profiles.carry_out_erasure", "POST"): {"e{request_id}-name": "Elena Gialli"},
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
    ("projects.save_team", "POST"): {"members": "{person_id}", "team_version": "0",
                                     "confirmed": "1"},
    ("projects.propose", "POST"): {"title": "Idea", "description": "Una idea nuova"},
    ("reports.people", "GET"): {"kind": "holders", "skill": "{skill_id}"},
    ("reports.role_target_list", "POST"): {"job_title": "Educatore", "skill": "{skill_id}",
                                           "min_level": "3"},
    ("reports.role_target_edit", "POST"): {"min_level": "4"},
    ("admin.api_tokens", "POST"): {"name": "Paghe", "scope": "read", "expires_days": "30"},
    ("admin.taxonomy_skill_new", "POST"): {"area_id": "{area_id}", "name_it": "Cucina",
                                           "name_en": "Cooking"},
    ("admin.taxonomy_skill", "POST"): {"area_id": "{area_id}", "name_it": "Primo soccorso BLS",
                                       "name_en": "First aid BLS"},
    ("admin.taxonomy_area_new", "POST"): {"name_it": "Nuova area", "name_en": "New area"},
    ("admin.taxonomy_area", "POST"): {"name_it": "Cura della persona",
                                      "name_en": "Personal care"},
    ("admin.taxonomy_merge", "GET"): {"into": "{into_id}"},
    ("admin.taxonomy_merge_confirm", "POST"): {"into": "{into_id}"},
    ("profiles.add_wish", "POST"): {"skill_id": "{skill_id}", "next": "/profile"},
    ("projects.edit_requirement", "POST"): {"edit-skill": "{skill_id}", "edit-min_level": "4",
                                            "edit-weight": "3", "edit-count": "1",
                                            "edit-version": "1"},
    ("profiles.cancel_erasure", "POST"): {"_prefix": "c{request_id}"},
    ("projects.add_training", "POST"): {"course_id": "{course_id}"},
    ("training.person", "POST"): {"what": "roles", "roles-roles": "first_aid"},
    ("reports.trends", "GET"): {"skill": "{skill_id}", "period": "12"},
}

#: (endpoint, method) -> argument -> kind of id: the ``cross`` row mixes ids
CROSS = {
    # a colleague's page with my own skill row, or with another organisation's
    ("profiles.confirm", "POST"): {"person_id": "other", "ps_id": "own"},
    # my project with another project's requirement
    ("projects.remove_requirement", "POST"): {"project_id": "own", "requirement_id": "other"},
    ("projects.edit_requirement", "POST"): {"project_id": "own", "requirement_id": "other"},
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
    # my skill merged into another organisation's, or moved to its area
    ("admin.taxonomy_merge", "GET"): {"skill_id": "own", "into_id": "foreign"},
    ("admin.taxonomy_merge_confirm", "POST"): {"skill_id": "own", "into_id": "foreign"},
    ("admin.taxonomy_skill", "POST"): {"skill_id": "own", "area_id": "foreign"},
    # my project asking for another organisation's course; my plan with another's line
    ("projects.add_training", "POST"): {"project_id": "own", "course_id": "foreign"},
    ("training.remove_plan_line", "POST"): {"plan_id": "own", "line_id": "foreign"},
}

ROLES = ("anonymous", "employee", "coordinator", "manager", "admin")

MATRIX = """
# endpoint                          method ids      anonymous employee coordinator manager admin
# -- admin
admin.api_tokens                    GET    -        login     403      403         403     200
admin.api_tokens                    POST   -        login     403      403         403     200  # the new token shown once
admin.audit_csv                     GET    -        login     403      403         403     200
admin.audit_log                     GET    -        login     403      403         403     200
admin.change_role                   POST   own      login     403      403         403     302
admin.change_role                   POST   other    login     403      403         403     302
admin.change_role                   POST   foreign  login     403      403         403     404
admin.export                        GET    -        login     403      403         403     200
admin.export_download               GET    own      login     403      403         403     200
admin.export_download               GET    foreign  login     403      403         403     404
admin.export_start                  POST   -        login     403      403         403     302
admin.export_status_json            GET    -        login     403      403         403     200
admin.import_people                 GET    -        login     403      403         403     200
admin.import_people                 POST   -        login     403      403         403     400  # no file: nothing to check
admin.import_people_cancel          POST   -        login     403      403         403     302
admin.import_people_confirm         POST   -        login     403      403         403     302  # no parked file: upload again
admin.import_people_template        GET    -        login     403      403         403     200
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
admin.revoke_api_token              POST   own      login     403      403         403     302
admin.revoke_api_token              POST   foreign  login     403      403         403     404
admin.sign_ins                      GET    -        login     403      403         403     200
admin.structure_create              POST   -        login     403      403         403     302
admin.structure_merge               POST   own      login     403      403         403     302
admin.structure_merge               POST   foreign  login     403      403         403     404
admin.structure_merge               POST   cross    login     403      403         403     302  # refused with a message
admin.structure_rename              POST   own      login     403      403         403     302
admin.structure_rename              POST   foreign  login     403      403         403     404
admin.structure_retire              POST   own      login     403      403         403     302
admin.structure_retire              POST   foreign  login     403      403         403     404
admin.taxonomy                      GET    -        login     403      403         200     200  # HR reads the taxonomy
admin.taxonomy_area                 GET    own      login     403      403         200     200
admin.taxonomy_area                 GET    foreign  login     403      403         404     404
admin.taxonomy_area                 POST   own      login     403      403         403     302
admin.taxonomy_area                 POST   foreign  login     403      403         404     404  # found (404) before the role (403)
admin.taxonomy_area_new             GET    -        login     403      403         403     200
admin.taxonomy_area_new             POST   -        login     403      403         403     302
admin.taxonomy_import               GET    -        login     403      403         403     200
admin.taxonomy_import               POST   -        login     403      403         403     400  # no file: nothing to check
admin.taxonomy_import_cancel        POST   -        login     403      403         403     302
admin.taxonomy_import_confirm       POST   -        login     403      403         403     302  # no parked file: upload again
admin.taxonomy_merge                GET    own      login     403      403         403     200
admin.taxonomy_merge                GET    foreign  login     403      403         403     404
admin.taxonomy_merge                GET    cross    login     403      403         403     404
admin.taxonomy_merge_confirm        POST   own      login     403      403         403     302
admin.taxonomy_merge_confirm        POST   foreign  login     403      403         403     404
admin.taxonomy_merge_confirm        POST   cross    login     403      403         403     404
admin.taxonomy_skill                GET    own      login     403      403         200     200
admin.taxonomy_skill                GET    foreign  login     403      403         404     404
admin.taxonomy_skill                POST   own      login     403      403         403     302
admin.taxonomy_skill                POST   foreign  login     403      403         404     404  # found (404) before the role (403)
admin.taxonomy_skill                POST   cross    login     403      403         403     400  # an area of Beta: refused on the form
admin.taxonomy_skill_new            GET    -        login     403      403         403     200
admin.taxonomy_skill_new            POST   own      login     403      403         403     302
admin.taxonomy_skill_new            POST   foreign  login     403      403         403     400  # an area of Beta: refused on the form
admin.taxonomy_skill_retire         POST   own      login     403      403         403     302
admin.taxonomy_skill_retire         POST   foreign  login     403      403         403     404
admin.toggle_active                 POST   own      login     403      403         403     302
admin.toggle_active                 POST   other    login     403      403         403     302
admin.toggle_active                 POST   foreign  login     403      403         403     404
admin.toggle_sso_only               POST   own      login     403      403         403     302
admin.toggle_sso_only               POST   other    login     403      403         403     302
admin.toggle_sso_only               POST   foreign  login     403      403         403     404
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

# -- api
# bearer tokens only: a cookie session signs nobody in here, so every role is 401 (a problem
# details document); tokens, scopes and other organisations' ids: tests/web/test_api.py
api.create_person                   POST   -        401       401      401         401     401
api.create_training_record          POST   -        401       401      401         401     401
api.delete_training_record          DELETE own      401       401      401         401     401
api.delete_training_record          DELETE other    401       401      401         401     401
api.delete_training_record          DELETE foreign  401       401      401         401     401
api.get_training_record             GET    own      401       401      401         401     401
api.get_training_record             GET    other    401       401      401         401     401
api.get_training_record             GET    foreign  401       401      401         401     401
api.delete_skill                    DELETE own      401       401      401         401     401
api.delete_skill                    DELETE other    401       401      401         401     401
api.delete_skill                    DELETE foreign  401       401      401         401     401
api.get_person                      GET    own      401       401      401         401     401
api.get_person                      GET    other    401       401      401         401     401
api.get_person                      GET    foreign  401       401      401         401     401
api.get_project                     GET    own      401       401      401         401     401
api.get_project                     GET    other    401       401      401         401     401
api.get_project                     GET    foreign  401       401      401         401     401
api.get_skill                       GET    own      401       401      401         401     401
api.get_skill                       GET    foreign  401       401      401         401     401
api.list_areas                      GET    -        401       401      401         401     401
api.list_people                     GET    -        401       401      401         401     401
api.list_projects                   GET    -        401       401      401         401     401
api.list_skills                     GET    -        401       401      401         401     401
api.list_training_courses           GET    -        401       401      401         401     401
api.list_training_records           GET    -        401       401      401         401     401
api.list_units                      GET    -        401       401      401         401     401
api.put_skill                       PUT    own      401       401      401         401     401
api.put_skill                       PUT    other    401       401      401         401     401
api.put_skill                       PUT    foreign  401       401      401         401     401
api.update_person                   PATCH  own      401       401      401         401     401
api.update_person                   PATCH  other    401       401      401         401     401
api.update_person                   PATCH  foreign  401       401      401         401     401

# -- api_docs
api_docs.openapi_json               GET    -        200       200      200         200     200
api_docs.reference                  GET    -        login     403      403         403     200

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
auth.sso_callback                   GET    -        login     login    login       login   login  # the provider does not answer here
auth.sso_login                      POST   -        login     login    login       login   login  # the provider does not answer here

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
profiles.add_wish                   POST   own      login     302      302         302     302
profiles.add_wish                   POST   foreign  login     302      302         302     302  # refused with a message
profiles.cancel_erasure             POST   other    login     403      403         403     302  # not confirmed: refused with a message
profiles.cancel_erasure             POST   foreign  login     403      403         403     404
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
profiles.my_card                    GET    -        login     200      200         200     200
profiles.my_data                    GET    -        login     200      200         200     200
profiles.people                     GET    -        login     200      200         200     200
profiles.person                     GET    own      login     403      302         302     302  # to /profile
profiles.person                     GET    other    login     403      200         200     200
profiles.person                     GET    foreign  login     403      404         404     404
profiles.person_card                GET    own      login     403      403         302     302  # to /profile/card
profiles.person_card                GET    other    login     403      403         200     200
profiles.person_card                GET    foreign  login     403      403         404     404
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
projects.add_training               POST   own      login     403      302         403     403
projects.add_training               POST   other    login     403      403         403     403
projects.add_training               POST   foreign  login     403      404         403     403
projects.add_training               POST   cross    login     403      302         403     403   # a course of Beta: refused with a message
projects.detail                     GET    own      login     200      200         200     200
projects.detail                     GET    other    login     404      404         200     200  # closed, not theirs
projects.detail                     GET    foreign  login     404      404         404     404
projects.edit                       GET    own      login     403      200         403     403
projects.edit                       GET    other    login     403      403         403     403
projects.edit                       GET    foreign  login     403      404         403     403
projects.edit                       POST   own      login     403      302         403     403
projects.edit                       POST   other    login     403      403         403     403
projects.edit                       POST   foreign  login     403      404         403     403
projects.edit_requirement           POST   own      login     403      302         403     403
projects.edit_requirement           POST   other    login     403      403         403     403
projects.edit_requirement           POST   foreign  login     403      404         403     403
projects.edit_requirement           POST   cross    login     403      404         403     403
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
projects.remove_training            POST   own      login     403      302         403     403
projects.remove_training            POST   other    login     403      403         403     403
projects.remove_training            POST   foreign  login     403      404         403     403
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
reports.trends                      GET    own      login     403      403         200     200
reports.trends                      GET    foreign  login     403      403         200     200  # a skill of Beta: ignored

# -- training
training.add_plan_line              POST   own      login     403      403         302     302
training.add_plan_line              POST   foreign  login     403      403         404     404
training.catalogue                  GET    -        login     403      403         403     200
training.certificate                GET    own      login     200      200         200     200
training.certificate                GET    other    login     404      404         200     200   # a colleague's certificate: HR and admins only
training.certificate                GET    foreign  login     404      404         404     404
training.deadlines                  GET    -        login     403      403         200     200
training.delete_minimum             POST   own      login     403      403         302     302
training.delete_minimum             POST   foreign  login     403      403         404     404
training.delete_record              POST   own      login     403      403         302     302
training.delete_record              POST   other    login     403      403         302     302
training.delete_record              POST   foreign  login     403      403         404     404
training.delete_rule                POST   own      login     403      403         302     302
training.delete_rule                POST   foreign  login     403      403         404     404
training.edit_course                GET    own      login     403      403         403     200
training.edit_course                GET    foreign  login     403      403         403     404
training.edit_course                POST   own      login     403      403         403     400   # no fields sent
training.edit_course                POST   foreign  login     403      403         403     404
training.export                     GET    -        login     403      403         200     200
training.export_plan_file           GET    own      login     403      403         200     200
training.export_plan_file           GET    foreign  login     403      403         404     404
training.import_records             GET    -        login     403      403         200     200
training.import_records             POST   -        login     403      403         400     400   # no file: nothing to check
training.import_records_cancel      POST   -        login     403      403         302     302
training.import_records_confirm     POST   -        login     403      403         302     302   # no parked file: upload again
training.mine                       GET    -        login     200      200         200     200
training.mine                       POST   -        login     400      400         400     400   # no fields sent
training.new_plan                   GET    -        login     403      403         200     200
training.new_plan                   POST   -        login     403      403         302     302
training.person                     GET    own      login     403      403         200     200
training.person                     GET    other    login     403      403         200     200
training.person                     GET    foreign  login     403      403         404     404
training.person                     POST   own      login     403      403         302     302
training.person                     POST   other    login     403      403         302     302
training.person                     POST   foreign  login     403      403         404     404
training.plan                       GET    own      login     403      403         200     200
training.plan                       GET    foreign  login     403      403         404     404
training.plans                      GET    -        login     403      403         200     200
training.reminders                  GET    -        login     403      403         403     200
training.remove_plan_line           POST   own      login     403      403         302     302
training.remove_plan_line           POST   foreign  login     403      403         404     404
training.remove_plan_line           POST   cross    login     403      403         404     404
training.rules                      GET    -        login     403      403         200     200
training.rules                      POST   -        login     403      403         200     200   # no fields sent: the page again

# -- static
static                              GET    -        200       200      200         200     200
"""
