"""``bench jobs``: a 40,000-household import as a job, over HTTP through gunicorn (its
default 30 s timeout) with a real Celery worker.

Unlike the other benchmarks this one must commit (the web server and the worker are other
processes): it seeds a throwaway county (code ``990003``) and purges it again at the end,
whatever happens. Needs PostgreSQL and a broker (``CELERY_BROKER_URL``). Prints the seconds from
the upload to the job's end, the worker's peak resident memory, the HTTP status of every
request, and the longest single request the client made (the upload, and each poll of the job
every half second).
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

from core import seeding
from grids import selectors as grid_selectors
from grids.models import GridNode, Level, Role

from .bench import write_import_file

JOBS_CODE = "990003"


def _worker_env():
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _purge(tree_id):
    from django.db import transaction

    with transaction.atomic():
        for step in reversed(seeding.steps()):
            if step.purge:
                step.purge(tree_id)


PORT = 8765


def _gunicorn(root):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "weixi_grid.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--timeout",
            "30",
        ],
        cwd=root,
        env=_worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_up(base, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)  # noqa: S310
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def _call(request):
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _get(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    return _call(request)


def _post_file(url, token, name, content):
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    return _call(request)


def bench_jobs(emit, scales):
    from knox.models import AuthToken

    if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
        emit(name="jobs.import", skipped="needs PostgreSQL and a broker (CELERY_BROKER_URL)")
        return
    root = Path(__file__).resolve().parents[1]
    for scale in scales:
        old = GridNode.objects.filter(code=JOBS_CODE, level=Level.COUNTY).first()
        if old is not None:
            _purge(old.tree_id)
        ctx = seeding.SeedContext(
            code=JOBS_CODE,
            name="任务基准县",
            seed=3,
            scale=scale,
            demo_logins=False,
            log=lambda s: None,
        )
        seeding.run(ctx, names={"grids"})
        tree_id = ctx.state["tree_id"]
        worker = server = None
        fd, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(fd)
        try:
            write_import_file(path, tree_id)
            leader = grid_selectors.first_holder(
                tree_id=tree_id, level=Level.COUNTY, role=Role.LEADER
            )
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "weixi_grid",
                    "worker",
                    "--pool=solo",
                    "--without-mingle",
                    "--without-gossip",
                    "--loglevel=WARNING",
                ],
                cwd=root,
                env=_worker_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            server = _gunicorn(root)
            token = AuthToken.objects.create(leader)[1]
            base = f"http://127.0.0.1:{PORT}"
            _wait_up(base)
            statuses, longest = [], 0.0
            started = time.perf_counter()
            with open(path, "rb") as upload:
                t0 = time.perf_counter()
                status, body = _post_file(
                    f"{base}/api/v1/households/import/", token, "import.xlsx", upload.read()
                )
                upload_seconds = time.perf_counter() - t0
            statuses.append(status)
            longest = max(longest, upload_seconds)
            job_id = body["id"]
            state, polls = body["state"], 0
            while state in ("pending", "running") and time.perf_counter() - started < 1800:
                time.sleep(0.5)
                t0 = time.perf_counter()
                status, body = _get(f"{base}/api/v1/jobs/{job_id}/", token)
                longest = max(longest, time.perf_counter() - t0)
                statuses.append(status)
                state, polls = body.get("state"), polls + 1
            emit(
                name="jobs.import",
                scale=scale,
                seconds=round(time.perf_counter() - started, 1),
                state=state,
                households=(body.get("result") or {}).get("households"),
                upload_request_seconds=round(upload_seconds, 3),
                longest_request_seconds=round(longest, 3),
                polls=polls,
                http_statuses=sorted(set(statuses)),
                worker_peak_rss_mb=_peak_rss_mb(worker.pid),
            )
        finally:
            for process in (worker, server):
                if process is not None and process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=60)
            os.unlink(path)
            _purge(tree_id)
