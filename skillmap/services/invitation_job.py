"""The job kind ``invite_all``: invite everyone without an account who has an e-mail.

A job runner is its own transaction boundary: it commits each invitation, so the
e-mails already queued leave even if a later person fails, and the services it calls
(:mod:`skillmap.services.invitations`) only flush.
"""
from __future__ import annotations

from flask import current_app

from skillmap.extensions import db
from skillmap.services import jobs
from skillmap.services.invitations import (KIND, STEPS, InvitationError, invite_person,
                                           people_without_account)


@jobs.register(KIND, STEPS)
def invite_all(ctx: jobs.JobContext) -> dict:
    """The job: invite everyone without an account who has an e-mail."""
    ctx.step("find")
    people = list(db.session.scalars(people_without_account(ctx.organisation_id)))
    ctx.step("send")
    invited = no_email = taken = 0
    for person in people:
        try:  # refused before anything is written: nothing to roll back
            invite_person(person, actor=None, locale=current_app.config["BABEL_DEFAULT_LOCALE"])
        except InvitationError as exc:
            if exc.reason == "no_email":
                no_email += 1
            else:
                taken += 1
        else:
            db.session.commit()
            invited += 1
    return {"invited": invited, "no_email": no_email, "skipped": taken}
