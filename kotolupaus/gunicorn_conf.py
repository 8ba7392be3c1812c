"""gunicorn's configuration for the app servers, for the metrics of several workers:

    gunicorn -c python:kotolupaus.gunicorn_conf kotolupaus.wsgi --workers 4 --bind 10.0.0.5:8000

Every worker process counts its metrics in files of its own in PROMETHEUS_MULTIPROC_DIR
(prometheus-client's multiprocess mode) and /metrics adds them up, whichever worker
answers. The folder is emptied when gunicorn starts (figures of an earlier run would be
added in), a dead worker's gauges are dropped, and without PROMETHEUS_MULTIPROC_DIR a
temporary folder is made and removed on exit. One folder per gunicorn master: two
masters on one machine need two folders. Do not use --preload: the app would load
prometheus-client before the folder is set.
"""

import os
import shutil
import tempfile
from pathlib import Path

FOLDER = "PROMETHEUS_MULTIPROC_DIR"


def on_starting(server):
    folder = os.environ.get(FOLDER)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for old in Path(folder).glob("*.db"):
            old.unlink()
    else:
        os.environ[FOLDER] = tempfile.mkdtemp(prefix="kotolupaus-metrics-")
        server.kotolupaus_metrics_folder = os.environ[FOLDER]


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    folder = getattr(server, "kotolupaus_metrics_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
