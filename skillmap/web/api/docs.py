"""The OpenAPI document (``/api/v1/openapi.json``, open to anyone: it holds no data) and
its reference page (``/api/v1/docs``, for admins), rendered on the server
from the same document: no script, no style of its own, nothing from a CDN."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from skillmap.web.access import public, roles

bp = Blueprint("api_docs", __name__)

DESCRIPTION = (
    "SkillMap's HR API. Authenticate with `Authorization: Bearer <token>`: an administrator "
    "creates tokens (Administration > API tokens, or `flask --app skillmap api-token "
    "create`). A `read` token reads everything; a `write` token can also create and change "
    "people and the skills in their profiles, and record or remove completed training "
    "courses. Tokens belong to one organisation and see "
    "only its data. Every call is recorded in the audit log, and every person whose data a "
    "call returns sees it under \"who saw my data\". Lists are paged in id order: pass "
    "`next_cursor` back as `cursor` until it is null. List and detail answers carry an "
    "`ETag`: send it as `If-None-Match` to get `304 Not Modified` while nothing changed. "
    "Errors are problem details (RFC 9457, `application/problem+json`) in the language of "
    "`Accept-Language` (Italian or English).")

def spec() -> dict:
    from skillmap.web.api import api

    return api.spec.to_dict()


@bp.route("/api/v1/openapi.json")
@public
def openapi_json():
    return jsonify(spec())


def _schema_name(schema: dict | None) -> str:
    """A short readable type: ``PersonOut``, ``array of string``, ``integer or null``."""
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_schema_name(s) for s in schema["anyOf"])
    kind = schema.get("type", "")
    kinds = kind if isinstance(kind, list) else [kind]
    text = " or ".join(k for k in kinds if k)
    if "array" in kinds:
        text = text.replace("array", "array of " + _schema_name(schema.get("items")))
    if schema.get("format"):
        text += f" ({schema['format']})"
    return text


def operations(document: dict) -> list[dict]:
    """Every operation of the document, in path order, ready for the template."""
    out = []
    for path, item in document.get("paths", {}).items():
        for method in ("get", "post", "put", "patch", "delete"):
            op = item.get(method)
            if op is None:
                continue
            body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json")
            responses = []
            for code, resp in op.get("responses", {}).items():
                if "$ref" in resp:
                    resp = document["components"]["responses"][resp["$ref"].rsplit("/", 1)[-1]]
                content = resp.get("content") or {}
                media = next(iter(content), "")
                responses.append({"code": code, "description": resp.get("description", ""),
                                  "media": media,
                                  "schema": _schema_name((content.get(media) or {})
                                                         .get("schema"))})
            summary, _, more = (op.get("summary", "") + "\n" + op.get("description", "")
                                ).partition("\n")
            out.append({
                "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                "method": method.upper(), "path": path, "summary": summary.strip(),
                "description": more.strip(),
                "parameters": [{"name": p["name"], "in": p["in"],
                                "required": p.get("required", False),
                                "type": _schema_name(p.get("schema")),
                                "description": p.get("description", "")}
                               for p in op.get("parameters", [])],
                "body": _schema_name(body.get("schema")) if body else "",
                "responses": responses,
            })
    return out


def schemas(document: dict) -> list[dict]:
    out = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        out.append({"name": name, "description": schema.get("description", ""),
                    "fields": [{"name": f, "type": _schema_name(s), "required": f in required,
                                "description": s.get("description", "")}
                               for f, s in schema.get("properties", {}).items()]})
    return out


@bp.route("/api/v1/docs")
@roles("admin")
def reference():
    document = spec()
    return render_template("api/reference.html", document=document,
                           operations=operations(document), schemas=schemas(document))
