"""Metrics in the Prometheus text format (prometheus-client), at /metrics for the
monitoring system only (see `allowed`), never for visitors.

Two kinds:

- counted by the processes as things happen: requests with their latency by URL name,
  method and status; page-cache hits and misses; answers the Redis cache could not give
  (served from the process's memory instead); rate-limit refusals; login lockouts.
  Under gunicorn every worker process counts in files of its own in
  PROMETHEUS_MULTIPROC_DIR, which kotolupaus/gunicorn.py sets up and which a scrape adds
  together, so the figures are the server's whatever worker answers the scrape;
- read from PostgreSQL when scraped (`DatabaseCollector`): the job queue per queue
  (depth, age of the oldest job that is due, live workers), e-mail messages by status,
  and how old the public files are and how far behind the last public change.

The README's "Metrics" section lists them with what to alert on.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

# --- Counted as things happen -------------------------------------------------------------

REQUESTS = Histogram(
    "kotolupaus_http_request_duration_seconds",
    "Requests by URL name, method and status, with the time to answer them.",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PAGE_CACHE = Counter(
    "kotolupaus_page_cache_requests",
    "Visitors' public pages answered from the page cache (hit) or rendered (miss).",
    ["view", "result"],
)
CACHE_UNAVAILABLE = Counter(
    "kotolupaus_cache_unavailable",
    "Cache operations answered from the process's memory because Redis could not be reached.",
    ["cache"],
)
RATE_LIMITED = Counter(
    "kotolupaus_rate_limit_refusals",
    "Requests refused with 429 by a rate limit, by URL name.",
    ["view"],
)
LOCKOUTS = Counter(
    "kotolupaus_login_lockouts",
    "Staff logins locked after repeated failures (django-axes).",
)


def view_name(request) -> str:
    """The URL name of the request's page ("publishing:catalogue"), the same in every
    language; "other" for what resolved to no URL (static files, 404s, the redirect from /)."""
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match else None) or "other"


class MetricsMiddleware:
    """Outermost: counts every answer, also the 503 of a database outage and the 500.

    It also answers /metrics itself, before the host check and the HTTPS redirect, so
    that Prometheus can scrape each app server by its private address over plain http.
    Anyone else `allowed` refuses gets what any unknown address gets (a 404 page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from time import perf_counter

        if request.path_info == PATH and request.method in ("GET", "HEAD") and allowed(request):
            return metrics(request)
        started = perf_counter()
        response = self.get_response(request)
        REQUESTS.labels(view_name(request), request.method, str(response.status_code)).observe(
            perf_counter() - started
        )
        return response


def count_lockout(sender, request=None, **kwargs):
    # django-axes signals again for every try refused during a lock; those come without
    # a count of failures (review/security.py records the lock once the same way).
    if getattr(request, "axes_failures_since_start", None) is not None:
        LOCKOUTS.inc()


# --- Read from the database when scraped --------------------------------------------------

JOBS_SQL = """
SELECT queue_name,
       count(*) FILTER (WHERE status = 'todo' AND coalesce(scheduled_at, now()) <= now()),
       count(*) FILTER (WHERE status = 'todo' AND scheduled_at > now()),
       count(*) FILTER (WHERE status = 'doing'),
       count(*) FILTER (WHERE status = 'failed'),
       coalesce(extract(epoch FROM now() - min(due.since)), 0)
  FROM procrastinate_jobs AS job
  LEFT JOIN LATERAL (
       SELECT coalesce(job.scheduled_at, min(event.at)) AS since
         FROM procrastinate_events AS event
        WHERE event.job_id = job.id AND event.type = 'deferred'
          AND job.status = 'todo' AND coalesce(job.scheduled_at, now()) <= now()
  ) AS due ON true
 GROUP BY queue_name
"""
WORKERS_SQL = """
SELECT count(*) FROM procrastinate_workers
 WHERE last_heartbeat > now() - make_interval(secs => %s)
"""
FILES_SQL = """
SELECT key, extract(epoch FROM now() - generated_at),
       greatest(0, extract(epoch FROM
           (SELECT changed_at FROM publishing_publicstate WHERE id = 1) - coalesce(as_of, generated_at)))
  FROM publishing_publicfile
"""
QUEUES = ("mail", "files", "maintenance")


class DatabaseCollector(Collector):
    """Gauges read in a few small queries at each scrape (every 15–60 s)."""

    def collect(self):
        from django.db import DatabaseError, connection

        up = GaugeMetricFamily("kotolupaus_database_up", "Whether the scrape could read them.")
        try:
            with connection.cursor() as cursor:
                families = list(self._families(cursor))
        except DatabaseError as error:
            log.warning("metrics: the database could not be read (%s)", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self, cursor):
        from django.db.models import Count

        from kotolupaus.models import Message, MessageStatus

        depth = GaugeMetricFamily(
            "kotolupaus_job_queue_depth",
            "Jobs by queue and state: due (waiting for a worker), scheduled (later), "
            "running, failed (kept 30 days).",
            labels=["queue", "state"],
        )
        age = GaugeMetricFamily(
            "kotolupaus_job_queue_oldest_due_seconds",
            "How long the oldest job that is due has waited for a worker, by queue.",
            labels=["queue"],
        )
        cursor.execute(JOBS_SQL)
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
        for queue in sorted(set(QUEUES) | rows.keys()):
            due, scheduled, doing, failed, oldest = rows.get(queue, (0, 0, 0, 0, 0))
            for state, value in (
                ("due", due),
                ("scheduled", scheduled),
                ("running", doing),
                ("failed", failed),
            ):
                depth.add_metric([queue, state], value)
            age.add_metric([queue], float(oldest))
        yield depth
        yield age

        cursor.execute(WORKERS_SQL, [settings.JOBS_STALLED_AFTER_SECONDS])
        workers = GaugeMetricFamily(
            "kotolupaus_job_workers",
            "Job workers that reported within JOBS_STALLED_AFTER_SECONDS.",
        )
        workers.add_metric([], cursor.fetchone()[0])
        yield workers

        counts = dict.fromkeys(MessageStatus.values, 0)
        counts.update(
            Message.objects.order_by().values_list("status").annotate(n=Count("pk")).all()
        )
        messages = GaugeMetricFamily(
            "kotolupaus_messages", "E-mail messages by status.", labels=["status"]
        )
        for status, n in sorted(counts.items()):
            messages.add_metric([status], n)
        yield messages

        cursor.execute(FILES_SQL)
        age = GaugeMetricFamily(
            "kotolupaus_public_file_age_seconds",
            "Seconds since each public file (open data, programme PDF) was built.",
            labels=["file"],
        )
        behind = GaugeMetricFamily(
            "kotolupaus_public_file_behind_seconds",
            "How far each public file's content is behind the last public change (0: current).",
            labels=["file"],
        )
        for key, built, late in cursor.fetchall():
            age.add_metric([key], float(built))
            behind.add_metric([key], float(late or 0))
        yield age
        yield behind


# --- The endpoint ---------------------------------------------------------------------------


def allowed(request) -> bool:
    """The monitoring system only: with `Authorization: Bearer <METRICS_TOKEN>`, or
    connecting straight from one of METRICS_ALLOWED_NETWORKS. A request that came through
    a proxy (it carries X-Forwarded-For or Forwarded) is never let in by its address:
    behind nginx on the same machine every visitor connects from 127.0.0.1."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


PATH = "/metrics"


def metrics(request):
    """The Prometheus text format (for MetricsMiddleware, once `allowed`)."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY  # one process (the development server, a test)
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    response = HttpResponse(
        generate_latest(counted) + generate_latest(database), content_type=CONTENT_TYPE_LATEST
    )
    response["Cache-Control"] = "no-store"
    return response
