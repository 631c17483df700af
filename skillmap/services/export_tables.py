"""What the full export holds: one entry per table, with its columns described in Italian
and English (the README of the export is written from here).

Adding a table to the export is one :class:`ExportTable` entry in :data:`TABLES`; its
rows are the organisation's own: through the table's ``organisation_id``, or through
the row it belongs to (``owner``: a profile row through its person). Secrets (password
hashes, link hashes, session versions) are never listed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from skillmap import models as m

#: descriptions shared by columns of the same name: column -> (Italian, English)
COMMON = {
    "id": ("identificativo della riga in SkillMap", "the row's identifier in SkillMap"),
    "organisation_id": ("identificativo della cooperativa", "the cooperative's identifier"),
    "created_at": ("creato il (data e ora UTC)", "created at (date and time, UTC)"),
    "updated_at": ("ultima modifica (UTC)", "last changed (UTC)"),
    "person_id": ("la persona (id del foglio people)", "the person (id in the people sheet)"),
    "skill_id": ("la competenza (id del foglio skills)", "the skill (id in the skills sheet)"),
    "project_id": ("il progetto (id del foglio projects)",
                   "the project (id in the projects sheet)"),
    "area_id": ("l'area (id del foglio skill_areas)", "the area (id in the skill_areas sheet)"),
    "min_level": ("livello minimo richiesto (1-5)", "minimum level required (1-5)"),
    "name": ("nome", "name"),
    "name_it": ("nome in italiano", "name in Italian"),
    "name_en": ("nome in inglese", "name in English"),
    "description": ("descrizione", "description"),
    "description_it": ("descrizione in italiano", "description in Italian"),
    "description_en": ("descrizione in inglese", "description in English"),
    "retired": ("ritirato: non più proposto per i nuovi dati (true/false)",
                "retired: no longer offered for new data (true/false)"),
    "job_title": ("mansione", "job title"),
    "code": ("codice", "code"),
    "status": ("stato", "status"),
    "start_date": ("data di inizio", "start date"),
    "end_date": ("data di fine", "end date"),
    "email": ("indirizzo e-mail", "e-mail address"),
}


@dataclass(frozen=True)
class ExportTable:
    """One sheet of the XLSX and one CSV file of the ZIP."""

    name: str  # the sheet and file name
    model: type
    columns: tuple[str, ...]
    title_it: str
    title_en: str
    #: descriptions of the columns not in :data:`COMMON` (or that say more)
    describe: dict = field(default_factory=dict)
    #: (foreign key column, parent model with organisation_id) for tables without their own
    owner: tuple | None = None

    def select(self, organisation_id: int) -> sa.Select:
        """The organisation's rows, in id order."""
        cols = [getattr(self.model, c) for c in self.columns]
        stmt = sa.select(*cols)
        if self.owner is None:
            stmt = stmt.where(self.model.organisation_id == organisation_id)
        else:
            fk, parent = self.owner
            stmt = stmt.join(parent, fk == parent.id).where(
                parent.organisation_id == organisation_id)
        return stmt.order_by(self.model.id)

    def count(self, organisation_id: int) -> sa.Select:
        return sa.select(sa.func.count()).select_from(
            self.select(organisation_id).order_by(None).subquery())

    def description(self, column: str) -> tuple[str, str]:
        return self.describe.get(column) or COMMON[column]


TABLES: list[ExportTable] = [
    ExportTable("units", m.Unit, ("id", "name", "name_en", "site", "retired"),
                "Unità (aree, servizi, sedi)", "Units (areas, services, sites)",
                {"site": ("sede", "site")}),
    ExportTable("job_titles", m.JobTitle, ("id", "name", "retired", "created_at"),
                "Mansioni", "Job titles"),
    ExportTable("people", m.Person,
                ("id", "first_name", "last_name", "email", "unit_id", "job_title",
                 "work_relationship", "start_date", "end_date", "availability_hours",
                 "available_until", "languages", "visible_to_colleagues",
                 "email_notifications", "retention_until", "retention_reason", "created_at",
                 "updated_at"),
                "Persone", "People",
                {"first_name": ("nome", "first name"), "last_name": ("cognome", "last name"),
                 "unit_id": ("unità (id del foglio units)", "unit (id in the units sheet)"),
                 "work_relationship": (
                     "rapporto di lavoro (socio_lavoratore, dipendente, collaboratore, "
                     "volontario, tirocinante, servizio_civile)",
                     "working relationship (the same codes)"),
                 "end_date": ("ultimo giorno di lavoro", "last day of work"),
                 "availability_hours": ("ore al mese per i progetti di innovazione",
                                        "hours per month for innovation projects"),
                 "available_until": ("disponibile fino al", "available until"),
                 "languages": ("lingue parlate, codici ISO 639-1 separati da virgola",
                               "spoken languages, comma separated ISO 639-1 codes"),
                 "visible_to_colleagues": ("i colleghi la trovano per competenza (true/false)",
                                           "colleagues may find them by skill (true/false)"),
                 "email_notifications": ("vuole le e-mail non necessarie (true/false)",
                                         "wants the optional e-mails (true/false)"),
                 "retention_until": ("dati conservati oltre il periodo fino al",
                                     "data kept past the retention period until"),
                 "retention_reason": ("motivo della conservazione", "why the data is kept")}),
    ExportTable("accounts", m.User,
                ("id", "email", "person_id", "role", "locale", "active", "sso_only",
                 "last_login_at", "invited_at", "privacy_seen_at", "created_at"),
                "Account di accesso (senza password)", "Login accounts (no passwords)",
                {"role": ("ruolo: employee, coordinator, manager, admin",
                          "role: employee, coordinator, manager, admin"),
                 "locale": ("lingua dell'interfaccia (it, en)", "interface language (it, en)"),
                 "active": ("account attivo (true/false)", "account enabled (true/false)"),
                 "sso_only": ("accede solo con il single sign-on (true/false)",
                              "signs in only through single sign-on (true/false)"),
                 "last_login_at": ("ultimo accesso (UTC)", "last sign-in (UTC)"),
                 "invited_at": ("invito inviato, password non ancora scelta (UTC)",
                                "invitation sent, no password chosen yet (UTC)"),
                 "privacy_seen_at": ("informativa privacy vista il (UTC)",
                                     "privacy notice seen at (UTC)")}),
    ExportTable("skill_areas", m.SkillArea,
                ("id", "code", "parent_id", "name_it", "name_en", "description_it",
                 "description_en", "position"),
                "Aree di competenza", "Skill areas",
                {"parent_id": ("area superiore (id di questo foglio)",
                               "parent area (id in this sheet)"),
                 "position": ("ordine di presentazione", "display order")}),
    ExportTable("skills", m.Skill,
                ("id", "code", "area_id", "name_it", "name_en", "description_it",
                 "description_en", "aliases", "esco_uri", "active"),
                "Competenze", "Skills",
                {"aliases": ("sinonimi separati da |", "synonyms separated by |"),
                 "esco_uri": ("URI ESCO della competenza", "the skill's ESCO URI"),
                 "active": ("attiva: proposta nella ricerca (true/false)",
                            "active: offered in search (true/false)")}),
    ExportTable("profiles", m.PersonSkill,
                ("id", "person_id", "skill_id", "level", "wants_to_grow", "last_used_year",
                 "note", "evidence_expires_on", "confirmed_level", "confirmed_by_id",
                 "confirmed_at", "confirmation_comment", "updated_at"),
                "Profili: competenze delle persone", "Profiles: the people's skills",
                {"level": ("livello dichiarato (0 = vuole imparare, 1-5)",
                           "declared level (0 = wants to learn, 1-5)"),
                 "wants_to_grow": ("vuole crescere in questa competenza (true/false)",
                                   "wants to grow in this skill (true/false)"),
                 "last_used_year": ("anno dell'ultimo uso", "year last used"),
                 "note": ("nota della persona", "the person's note"),
                 "evidence_expires_on": ("scadenza dell'attestato", "evidence expires on"),
                 "confirmed_level": ("livello confermato dal coordinatore",
                                     "level confirmed by the coordinator"),
                 "confirmed_by_id": ("chi ha confermato (id del foglio accounts)",
                                     "who confirmed (id in the accounts sheet)"),
                 "confirmed_at": ("confermato il (UTC)", "confirmed at (UTC)"),
                 "confirmation_comment": ("commento della conferma",
                                          "comment of the confirmation")},
                owner=(m.PersonSkill.person_id, m.Person)),
    ExportTable("profile_history", m.SkillChange,
                ("id", "person_id", "skill_id", "changed_by_id", "kind", "old_level",
                 "new_level", "changed_at"),
                "Storico dei profili", "Profile history",
                {"changed_by_id": ("chi ha fatto la modifica (id del foglio accounts)",
                                   "who made the change (id in the accounts sheet)"),
                 "kind": ("tipo: added, level, wish, note, removed, confirmed",
                          "kind: added, level, wish, note, removed, confirmed"),
                 "old_level": ("livello prima", "level before"),
                 "new_level": ("livello dopo", "level after"),
                 "changed_at": ("modificato il (UTC)", "changed at (UTC)")},
                owner=(m.SkillChange.person_id, m.Person)),
    ExportTable("role_targets", m.RoleTarget, ("id", "job_title", "skill_id", "min_level",
                                                "created_at"),
                "Competenze attese per mansione", "Skills expected per job title"),
    ExportTable("skill_proposals", m.SkillProposal,
                ("id", "proposed_by_id", "name", "description", "area_id", "status",
                 "resulting_skill_id", "reviewed_by_id", "created_at", "reviewed_at"),
                "Proposte di nuove competenze", "Proposals of new skills",
                {"proposed_by_id": ("chi l'ha proposta (id del foglio accounts)",
                                    "who proposed it (id in the accounts sheet)"),
                 "status": ("stato: pending, accepted, mapped, rejected",
                            "status: pending, accepted, mapped, rejected"),
                 "resulting_skill_id": ("la competenza risultante (id del foglio skills)",
                                        "the resulting skill (id in the skills sheet)"),
                 "reviewed_by_id": ("chi l'ha esaminata (id del foglio accounts)",
                                    "who reviewed it (id in the accounts sheet)"),
                 "reviewed_at": ("esaminata il (UTC)", "reviewed at (UTC)")}),
    ExportTable("projects", m.Project,
                ("id", "title", "description", "goals", "start_date", "end_date",
                 "hours_per_month", "team_size", "status", "coordinator_id", "proposed_by_id",
                 "created_at", "updated_at"),
                "Progetti", "Projects",
                {"title": ("titolo", "title"), "goals": ("obiettivi", "goals"),
                 "hours_per_month": ("ore al mese richieste", "hours per month needed"),
                 "team_size": ("persone nella squadra", "people in the team"),
                 "status": ("stato del progetto", "project status"),
                 "coordinator_id": ("coordinatore (id del foglio accounts)",
                                    "coordinator (id in the accounts sheet)"),
                 "proposed_by_id": ("chi l'ha proposto (id del foglio accounts)",
                                    "who proposed it (id in the accounts sheet)")}),
    ExportTable("project_requirements", m.ProjectRequirement,
                ("id", "project_id", "skill_id", "min_level", "weight", "count"),
                "Competenze richieste dai progetti", "Skills the projects need",
                {"weight": ("importanza (1-5)", "importance (1-5)"),
                 "count": ("quante persone la devono avere", "how many people need it")},
                owner=(m.ProjectRequirement.project_id, m.Project)),
    ExportTable("teams", m.TeamMember,
                ("id", "project_id", "person_id", "status", "role", "created_at",
                 "responded_at"),
                "Squadre dei progetti", "Project teams",
                {"status": ("stato dell'invito (invited, accepted, declined, ...)",
                            "invitation status (invited, accepted, declined, ...)"),
                 "role": ("ruolo: member, growth (posto di crescita), mentor",
                          "role: member, growth (a growth place), mentor"),
                 "responded_at": ("risposta il (UTC)", "answered at (UTC)")},
                owner=(m.TeamMember.project_id, m.Project)),
    ExportTable("training_courses", m.TrainingCourse,
                ("id", "code", "name_it", "name_en", "legal_basis", "hours_first",
                 "hours_renewal", "validity_months", "safety_role", "skill_id", "source"),
                "Corsi di formazione", "Training courses",
                {"code": ("codice del corso", "course code"),
                 "name_it": ("nome in italiano", "Italian name"),
                 "name_en": ("nome in inglese", "English name"),
                 "legal_basis": ("riferimento normativo", "legal basis"),
                 "hours_first": ("ore del primo corso", "hours of the first course"),
                 "hours_renewal": ("ore di ogni aggiornamento", "hours of each renewal"),
                 "validity_months": ("validità in mesi (vuoto: senza scadenza)",
                                     "validity in months (empty: does not expire)"),
                 "safety_role": ("ruolo di sicurezza che il corso abilita",
                                 "safety role the course qualifies for"),
                 "skill_id": ("competenza collegata (id del foglio skills)",
                              "linked skill (id in the skills sheet)"),
                 "source": ("fonte dei valori predefiniti (da verificare)",
                            "source of the defaults (to be checked)")}),
    ExportTable("training_records", m.TrainingRecord,
                ("id", "person_id", "course_id", "completed_on", "expires_on", "hours",
                 "provider", "certificate_number", "created_at"),
                "Formazione svolta", "Training records",
                {"course_id": ("corso (id del foglio training_courses)",
                               "course (id in the training_courses sheet)"),
                 "completed_on": ("completato il", "completed on"),
                 "expires_on": ("scade il (vuoto: senza scadenza)",
                                "expires on (empty: does not expire)"),
                 "hours": ("ore", "hours"),
                 "provider": ("ente di formazione", "training provider"),
                 "certificate_number": ("numero dell'attestato", "certificate number")}),
    ExportTable("audit_log", m.AuditEvent,
                ("id", "actor_id", "action", "subject_person_id", "subject_ref", "detail",
                 "created_at"),
                "Registro delle attività (audit)", "Audit log",
                {"actor_id": ("chi ha agito (id del foglio accounts)",
                              "who acted (id in the accounts sheet)"),
                 "action": ("azione", "action"),
                 "subject_person_id": ("la persona interessata (id del foglio people)",
                                       "the person concerned (id in the people sheet)"),
                 "subject_ref": ("riferimento (persona cancellata: pseudonimo)",
                                 "reference (an erased person: pseudonym)"),
                 "detail": ("dettagli", "details")}),
]


def by_name() -> dict[str, ExportTable]:
    return {t.name: t for t in TABLES}
