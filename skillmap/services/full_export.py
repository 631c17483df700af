"""The full export: everything a cooperative has in SkillMap, as one XLSX and a ZIP of CSVs.

It runs as the job kind ``full_export`` in a queue consumer (:mod:`skillmap.services.jobs`),
one step per table of :data:`skillmap.services.export_tables.TABLES`, so its page shows
progress on a large organisation. Both files are written in one pass over each table
(the XLSX in openpyxl's write-only mode, the CSVs straight into the ZIP), into
``EXPORT_DIR/<organisation id>/`` with mode 0600; the ZIP also holds ``LEGGIMI-README.txt``
describing every column in Italian and English, and the XLSX a sheet ``README``. On
PostgreSQL every table is read in one REPEATABLE READ transaction (one snapshot).

Text that a spreadsheet would run as a formula is escaped
(:func:`skillmap.services.report_exports.escape_formula`). Files older than
``EXPORT_KEEP_HOURS`` are deleted (:func:`prune`, hourly and at each export); the
creation and each download are in the audit log.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import sqlalchemy as sa
from flask import current_app
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from skillmap.extensions import db
from skillmap.models import Job, Organisation
from skillmap.models.base import utcnow
from skillmap.services import audit, jobs
from skillmap.services.export_tables import TABLES
from skillmap.services.report_exports import escape_formula

__all__ = ["KIND", "STEPS", "FORMATS", "ExportMissing", "request", "files_of", "path_for",
           "prune", "export_dir", "readme"]

KIND = "full_export"
#: one step per table, then the README and the closing of both files
STEPS = tuple(f"table:{t.name}" for t in TABLES) + ("write",)
#: download format -> (file suffix, MIME type)
FORMATS = {
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "zip": (".zip", "application/zip"),
}
NAME_RE = re.compile(r"^skillmap-export-\d+-\d{8}-\d{6}\.(xlsx|zip)$")
README_NAME = "LEGGIMI-README.txt"
BATCH = 2000


class ExportMissing(Exception):
    """The export is not done, belongs to another organisation, or its files were removed."""


def export_dir() -> Path:
    return Path(current_app.config["EXPORT_DIR"])


def keep() -> timedelta:
    return timedelta(hours=float(current_app.config["EXPORT_KEEP_HOURS"]))


def request(organisation_id: int, user_id: int) -> tuple[Job, bool]:
    """Queue an export (flushes, audits the request; the caller commits)."""
    job, queued = jobs.request(organisation_id, KIND, user_id=user_id)
    if queued:
        audit.record(organisation_id, user_id, "export.requested", detail=f"job {job.id}")
    return job, queued


# -- values -----------------------------------------------------------------------------------

def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return escape_formula(value)


def _xlsx_value(value):
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value
    if isinstance(value, str):
        return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


# -- the README -------------------------------------------------------------------------------

def readme(organisation_name: str, made_at: datetime, counts: dict[str, int]) -> str:
    """The description of the export's tables and columns, Italian first, then English."""
    stamp = made_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"SkillMap - esportazione completa / full export: {organisation_name}",
        f"Creata il / made on {stamp}",
        "",
        "ITALIANO",
        "Un file CSV per tabella (UTF-8 con BOM, separatore virgola, righe CRLF) e lo stesso "
        "contenuto nel file XLSX, un foglio per tabella. Date e ore in UTC (ISO 8601); i "
        "valori sì/no sono true/false. Un testo che inizia con = + - @ è preceduto da un "
        "apostrofo, perché il foglio di calcolo non lo esegua come formula. Le colonne *_id "
        "rimandano alla colonna id di un altro foglio. Le password non sono esportate.",
        "",
        "ENGLISH",
        "One CSV file per table (UTF-8 with BOM, comma separated, CRLF lines) and the same "
        "content in the XLSX file, one sheet per table. Dates and times in UTC (ISO 8601); "
        "yes/no values are true/false. Text starting with = + - @ has a leading apostrophe, "
        "so that a spreadsheet does not run it as a formula. Columns *_id refer to the id "
        "column of another sheet. Passwords are not exported.",
        "",
    ]
    for table in TABLES:
        lines.append(f"== {table.name}.csv: {table.title_it} / {table.title_en} "
                     f"({counts.get(table.name, 0)} righe / rows)")
        for col in table.columns:
            it, en = table.description(col)
            lines.append(f"  {col}: {it} / {en}")
        lines.append("")
    return "\r\n".join(lines)


# -- the job ----------------------------------------------------------------------------------

def _snapshot() -> None:
    """Read every table from one snapshot where the database offers it cheaply."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


@jobs.register(KIND, STEPS)
def _run(ctx: jobs.JobContext) -> dict:
    org_id = ctx.organisation_id
    prune()
    job = db.session.get(Job, ctx.job_id)
    requested_by = job.requested_by_id
    db.session.commit()
    _snapshot()
    org_name = db.session.scalar(sa.select(Organisation.name).where(Organisation.id == org_id))
    made_at = utcnow()
    folder = export_dir() / str(org_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    base = f"skillmap-export-{ctx.job_id}-{made_at:%Y%m%d-%H%M%S}"
    xlsx_path, zip_path = folder / f"{base}.xlsx", folder / f"{base}.zip"
    xlsx_part, zip_part = (Path(f"{p}.part") for p in (xlsx_path, zip_path))
    counts: dict[str, int] = {}
    book = openpyxl.Workbook(write_only=True)
    try:
        with zipfile.ZipFile(zip_part, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in TABLES:
                ctx.step(f"table:{table.name}")
                sheet = book.create_sheet(table.name[:31])
                sheet.append(list(table.columns))
                n = 0
                with archive.open(f"{table.name}.csv", "w") as raw:
                    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                    writer = csv.writer(text, lineterminator="\r\n")
                    writer.writerow(table.columns)
                    result = db.session.execute(table.select(org_id).execution_options(
                        yield_per=BATCH))
                    for row in result:
                        writer.writerow([_csv_value(v) for v in row])
                        sheet.append([_xlsx_value(v) for v in row])
                        n += 1
                    text.flush()
                    text.detach()
                counts[table.name] = n
            ctx.step("write")
            text = readme(org_name or "", made_at, counts)
            archive.writestr(README_NAME, "\ufeff" + text)
            info = book.create_sheet("README")
            for line in text.split("\r\n"):
                info.append([_xlsx_value(line)])
        book.save(xlsx_part)
        for part, final in ((xlsx_part, xlsx_path), (zip_part, zip_path)):
            os.chmod(part, 0o600)
            os.replace(part, final)
    finally:
        for part in (xlsx_part, zip_part):
            part.unlink(missing_ok=True)
    db.session.rollback()  # end the snapshot before writing the audit row
    audit.record(org_id, requested_by, "export.created",
                 detail=f"job {ctx.job_id}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    db.session.commit()
    return {"xlsx": xlsx_path.name, "zip": zip_path.name, "rows": counts,
            "made_at": made_at.isoformat()}


# -- files ------------------------------------------------------------------------------------

def files_of(job: Job) -> dict | None:
    """The files of a finished export, while they are kept: {"xlsx": Path, "zip": Path}."""
    if job is None or job.kind != KIND or job.state != "done":
        return None
    result = json.loads(job.result or "{}")
    folder = export_dir() / str(job.organisation_id)
    out = {}
    for fmt in FORMATS:
        name = result.get(fmt, "")
        if not NAME_RE.match(name or ""):
            return None
        path = folder / name
        if not path.is_file():
            return None
        out[fmt] = path
    return out


def path_for(organisation_id: int, job_id: int, fmt: str) -> Path:
    """The file of export ``job_id`` of this organisation; :class:`ExportMissing` if none."""
    job = db.session.get(Job, job_id)
    if fmt not in FORMATS or job is None or job.organisation_id != organisation_id:
        raise ExportMissing(job_id)
    files = files_of(job)
    if files is None:
        raise ExportMissing(job_id)
    return files[fmt]


def expires_at(job: Job) -> datetime | None:
    if job is None or job.finished_at is None:
        return None
    finished = job.finished_at
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=timezone.utc)
    return finished + keep()


def prune(now: datetime | None = None) -> int:
    """Delete export files older than ``EXPORT_KEEP_HOURS`` (and leftovers of a crashed run);
    returns how many files went."""
    root = export_dir()
    if not root.is_dir():
        return 0
    limit = (now or utcnow()).timestamp() - keep().total_seconds()
    removed = 0
    for path in root.glob("*/skillmap-export-*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
