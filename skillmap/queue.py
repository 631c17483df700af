"""The task queue (Huey): where background work runs, never in a web worker.

Storage by ``SKILLMAP_QUEUE_URL`` (config ``QUEUE_URL``):

* unset: a SQLite file beside the database (``instance/queue.sqlite``), the
  embedded default with no extra server; ``make run`` starts one consumer;
* ``redis://host:port/db``: production, where consumers on several machines
  share one queue;
* ``memory``: in the process (tests), drained with :func:`drain`.

Consumers run ``flask --app skillmap jobs-worker``. Every task runs inside an
app context of the consumer's app; state and progress go to the job table
(:mod:`skillmap.services.jobs`), which pages read. Periodic tasks: a minutely
reaper (dead consumers, lost messages, kept forms past their time), the
minutely erasures whose grace period is over, the nightly recompute and the daily
backup into ``BACKUP_DIR``, the hourly removal of old full exports (run the periodic
tasks on one consumer only:
the others start with ``--no-periodic``).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from huey import Huey, crontab
from huey.exceptions import RetryTask
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

__all__ = ["drain", "huey", "init_app", "send", "send_mail"]

NAME = "skillmap"
#: seconds before a job that found another run of its kind running tries again
BUSY_RETRY = 5
#: an e-mail that cannot be sent is tried again this many times, this many seconds apart
MAIL_RETRIES = 4
MAIL_RETRY_DELAY = 120

huey = Huey(NAME, results=False, utc=True, storage_class=MemoryStorage)


def storage_for(app):
    """The queue storage the app's configuration asks for."""
    url = app.config.get("QUEUE_URL") or ""
    if url == "memory":
        return MemoryStorage(NAME)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(NAME, url=url)
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
    elif url:
        raise RuntimeError(f"SKILLMAP_QUEUE_URL: {url!r} is not redis://..., sqlite:///... "
                           "or memory")
    else:
        path = os.path.join(app.instance_path, "queue.sqlite")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteStorage(NAME, filename=path)


def init_app(app) -> None:
    """Point the queue at the app's storage; tasks run in this app's context."""
    huey.storage = storage_for(app)
    huey.flask_app = app
    app.extensions["skillmap_queue"] = huey
    register_health_check()


def _in_app(fn, *args):
    app = huey.flask_app
    from skillmap.extensions import db

    with app.app_context():
        try:
            return fn(*args)
        finally:
            db.session.remove()


def send(job_id: int, delay: float = 0.0) -> None:
    """Put a job's message in the queue (after the commit that made the job row)."""
    run_job.schedule(args=(job_id,), delay=delay) if delay else run_job(job_id)


def send_mail(message) -> None:
    """Put one e-mail in the queue (after the commit that made its outbox row)."""
    deliver_mail(message.outbox_id, message.to, message.subject, message.text, message.html)


def _queue_health():
    """/healthz: the queue's storage answers; how many messages wait."""
    try:
        waiting = huey.storage.queue_size()
        scheduled = huey.storage.schedule_size()
    except Exception as exc:  # any storage error means "not reachable"
        huey.flask_app.logger.warning("queue not reachable: %s", exc)
        return False, {"error": type(exc).__name__}
    return True, {"waiting": waiting, "scheduled": scheduled,
                  "storage": type(huey.storage).__name__}


def register_health_check() -> None:
    from skillmap.services import health

    health.check("queue")(_queue_health)


def drain(now: float | None = None) -> int:
    """Run every queued and scheduled message in this process (tests, tiny installations).

    Scheduled messages (debounced recomputes) run too, as if their time had come.
    Returns how many ran.
    """
    ran = 0
    far = time.time() + 10 ** 7 if now is None else now
    for _ in range(1000):
        for task in huey.read_schedule(_utc_timestamp(far)):
            huey.enqueue(task)
        task = huey.dequeue()
        if task is None:
            break
        if task.eta is not None:
            task.eta = None
        huey.execute(task)
        ran += 1
    return ran


def _utc_timestamp(ts: float):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


# --------------------------------------------------------------------------- tasks

@huey.task()
def run_job(job_id: int):
    from skillmap.services import jobs

    try:
        return _in_app(jobs.run, job_id)
    except jobs.JobBusy:
        raise RetryTask(delay=BUSY_RETRY)


@huey.periodic_task(crontab(minute="*"), name="skillmap.reap")
def reap():
    from skillmap.services import jobs

    return _in_app(jobs.reap)


@huey.periodic_task(crontab(hour="2", minute="15"), name="skillmap.nightly_recompute")
def nightly_recompute():
    from skillmap.services import recompute

    return _in_app(recompute.request_for_all, "schedule")


@huey.periodic_task(crontab(hour="3", minute="0"), name="skillmap.daily_backup")
def daily_backup():
    """A dated, checked backup in BACKUP_DIR, keeping the last BACKUP_KEEP copies."""
    from skillmap.services import backup

    def run():
        result = backup.scheduled_backup()
        return {"file": str(result.path), "size": result.size}
    return _in_app(run)


@huey.task(retries=MAIL_RETRIES, retry_delay=MAIL_RETRY_DELAY, context=True)
def deliver_mail(outbox_id: int, to: str, subject: str, text: str, html: str, task=None):
    """Send one e-mail; retried (see :mod:`skillmap.services.mail`), then marked failed."""
    from skillmap.services import mail

    message = mail.Message(outbox_id, to, subject, text, html)
    return _in_app(mail.deliver, message, task.retries if task is not None else 0)


@huey.task()
def reset_requested(email: str):
    """"Forgot password": look the address up away from the request (same time for all)."""
    return _in_app(_reset_requested, email)


def _reset_requested(email: str) -> bool:
    from skillmap.extensions import db
    from skillmap.services import invitations

    sent = invitations.reset_requested(email)
    db.session.commit()  # the task is the transaction: the link's e-mail leaves after it
    return sent


@huey.periodic_task(crontab(hour="1", minute="30"), name="skillmap.end_of_work")
def end_of_work():
    """Close the accounts whose end date has passed; erase data whose retention is over."""
    from skillmap.services import retention

    def run():
        return {"closed": retention.close_ended(), "erased": retention.erase_due()}
    return _in_app(run)


@huey.periodic_task(crontab(minute="20"), name="skillmap.prune_exports")
def prune_exports():
    """Delete the full exports kept longer than EXPORT_KEEP_HOURS (hourly)."""
    from skillmap.services import full_export

    return _in_app(full_export.prune)
@huey.periodic_task(crontab(hour="6", minute="10"), name="skillmap.training_reminders")
def training_reminders():
    """Reminders of training deadlines (daily) and, on Mondays, HR's weekly digest."""
    from skillmap.services import training_reminders as reminders

    return _in_app(reminders.run_all)
@huey.periodic_task(crontab(minute="*"), name="skillmap.erasures_due")
def erasures_due():
    """Carry out the erasures whose grace period is over (an admin could cancel until then)."""
    from skillmap.services import erasures

    return _in_app(lambda: {"erased": erasures.erase_due()})
