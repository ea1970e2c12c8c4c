"""Background tasks (django-tasks, Django's DEP 14 tasks on Django 5.2).

Settings pick the backend: in development and tests a task runs in the process
that enqueues it (after the commit that enqueued it); in production tasks are rows
that `manage.py db_worker` runs, which also honours ``run_after`` for the webhook
retries. Tasks take ids, not objects, so they survive being stored as JSON.
"""

from __future__ import annotations

from django_tasks import task

from . import webhooks


@task()
def deliver_webhook(delivery_id: int) -> str | None:
    """One attempt at one webhook delivery (a retry is enqueued by the attempt)."""
    return webhooks.attempt(delivery_id)


@task()
def deliver_due_webhooks() -> int:
    """Every pending delivery whose time has come: the safety net behind the
    deferred retries (a lost task row), and the retries of a backend that cannot
    defer."""
    return webhooks.deliver_due()


@task()
def capture_source(source_id: int) -> int | None:
    """Fetch a newly added source once and keep its text (``capture.py``); the
    snapshot's id."""
    from . import capture

    snapshot = capture.capture_source(source_id)
    return snapshot.pk if snapshot else None
