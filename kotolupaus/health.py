"""Liveness (GET /healthz) and readiness (GET /readyz).

/healthz says whether this app server can serve pages (the database answers): the load
balancer's check. /readyz says whether the whole service is as it should be — for a
deployment that waits until a new release can take traffic, and for monitoring:

- database: `SELECT 1` answers;
- redis: PING answers, when REDIS_URL is set (pages keep working without it, from the
  database and each process's memory, so /healthz stays 200 meanwhile);
- migrations: every migration of this code is applied;
- jobs: a job worker reported within JOBS_STALLED_AFTER_SECONDS, and no job that is due
  has waited longer than READY_JOB_WAIT_SECONDS.

200 with every check "ok", else 503 naming what failed; one JSON object either way.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse

log = logging.getLogger(__name__)


def health(request):
    """For the load balancer: 200 when the app can query the database, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"
        log.warning("health check failed", exc_info=True)
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


_migrated = False  # once true, true for as long as this code runs


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    from django.core.cache import caches

    from .cache import UNREACHABLE

    try:
        caches["default"].client.get_client().ping()  # type: ignore[attr-defined]  # django-redis
    except UNREACHABLE as error:
        return f"unavailable ({type(error).__name__})"
    return "ok"


def check_migrations() -> str:
    global _migrated
    if not _migrated:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return f"{len(plan)} not applied"
        _migrated = True
    return "ok"


def check_jobs() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM procrastinate_workers "
            "WHERE last_heartbeat > now() - make_interval(secs => %s)",
            [settings.JOBS_STALLED_AFTER_SECONDS],
        )
        workers = cursor.fetchone()[0]
        cursor.execute(
            """SELECT coalesce(extract(epoch FROM now() - min(since)), 0) FROM (
                 SELECT coalesce(job.scheduled_at,
                                 (SELECT min(at) FROM procrastinate_events AS event
                                   WHERE event.job_id = job.id AND event.type = 'deferred')) AS since
                   FROM procrastinate_jobs AS job
                  WHERE job.status = 'todo' AND coalesce(job.scheduled_at, now()) <= now()
               ) AS due"""
        )
        waited = float(cursor.fetchone()[0])
    if not workers:
        return f"no worker reported in {settings.JOBS_STALLED_AFTER_SECONDS} s"
    if waited > settings.READY_JOB_WAIT_SECONDS:
        return f"a due job has waited {waited:.0f} s"
    return "ok"


def ready(request):
    checks = {}
    try:
        checks["database"] = check_database()
    except DatabaseError as error:
        checks["database"] = f"unavailable ({type(error).__name__})"
    checks["redis"] = check_redis()
    for name, check in (("migrations", check_migrations), ("jobs", check_jobs)):
        if checks["database"] != "ok":
            checks[name] = "not checked"
            continue
        try:
            checks[name] = check()
        except DatabaseError as error:
            checks[name] = f"unavailable ({type(error).__name__})"
    failed = [name for name, state in checks.items() if state not in ("ok", "not configured")]
    if failed:
        log.warning("not ready: %s", ", ".join(f"{name} {checks[name]}" for name in failed))
    response = JsonResponse(
        {"status": "not ready" if failed else "ready", "checks": checks},
        status=503 if failed else 200,
    )
    response["Cache-Control"] = "no-store"
    return response
