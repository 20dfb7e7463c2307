"""A server killed (kill -9) under load leaves no file without its row once swept.

A real gunicorn serves the test database; threads send online submissions
(two files each, written through the temporary upload folder) until some
have been accepted, the whole process group is killed mid-flight, and the
sweep with no grace period must leave storage and rows in agreement.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.models import DossierFile
from motcua.dossiers.sweep import held_names, orphan_files_sweep

from .conftest import PDF, optional_key, required_key
from .test_limits import BOUNDARY, multipart

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="the SQLite test database lives in memory: a server in another process "
        "cannot open it (runs on PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),  # the server must see the procedure
]
STARTUP_SECONDS = 60  # Django alone takes seconds to load on a busy machine
LOAD_SECONDS = 5
SENDERS = 6


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


def _post(port: int, body: bytes, timeout: float = 10) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(
            "POST",
            "/api/v1/dossiers",
            body,
            {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
        return connection.getresponse().status
    finally:
        connection.close()


def _ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/procedures")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("the server did not start")


def test_a_server_killed_under_load_leaves_no_file_without_its_row_once_swept(
    procedure: Procedure, form: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    temp_dir = tmp_path / "uploads"
    settings.FILE_UPLOAD_TEMP_DIR = str(temp_dir)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "FILE_UPLOAD_TEMP_DIR": str(temp_dir),
        "FILE_UPLOAD_MAX_MEMORY_SIZE": "0",  # every upload goes through the temporary folder
        "LOG_LEVEL": "CRITICAL",
        # The portal's anonymous submission, as the suite's other tests have it (conftest).
        "MOTCUA_ANONYMOUS_SUBMISSION": "true",
    }
    server = subprocess.Popen(  # noqa: S603 (our own server, fixed arguments)
        [
            str(Path(settings.BASE_DIR) / ".venv/bin/gunicorn"),
            "config.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--worker-class=gthread",
            "--threads=4",
            "--log-level=critical",
            "--preload",  # Django loads once, before the workers fork
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the workers die with it
    )
    files = {
        required_key(procedure): ("to-khai.pdf", PDF),
        optional_key(procedure): ("giay-to-khac.pdf", PDF),
    }
    body = multipart(form, files, closed=True)
    accepted: list[int] = []
    stop = threading.Event()

    def send() -> None:
        while not stop.is_set():
            try:
                if _post(port, body) == 201:
                    accepted.append(1)
            except OSError:
                if server.poll() is not None:
                    return

    senders = [threading.Thread(target=send) for _ in range(SENDERS)]
    try:
        _ready(port, server)
        for sender in senders:
            sender.start()
        # The first answers are slow on a busy machine (each worker warms up); then a few
        # seconds more of load, and the kill lands while requests are in flight.
        first = time.monotonic() + STARTUP_SECONDS
        while not accepted and time.monotonic() < first:
            time.sleep(0.05)
        deadline = time.monotonic() + LOAD_SECONDS
        while len(accepted) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(server.pid, signal.SIGKILL)  # mid-flight: the senders are still sending
        server.wait(timeout=10)
    finally:
        stop.set()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        for sender in senders:
            if sender.is_alive():
                sender.join(timeout=15)

    assert accepted, "no submission was accepted before the kill"
    later = timezone.now() + dt.timedelta(seconds=2)  # no grace: every file is old enough
    report = orphan_files_sweep(now=later, grace=dt.timedelta(0), everything=True)
    print(f"accepted before the kill: {len(accepted)}; swept: {report}")  # shown on failure

    root = Path(settings.MEDIA_ROOT)
    stored = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert set(stored) == held_names(stored)  # every file on storage has its row
    rows = list(DossierFile.objects.values_list("file", flat=True))
    assert len(rows) >= 2 * len(accepted)
    assert all(default_storage.exists(name) for name in rows)  # every row has its file
    assert not temp_dir.exists() or list(temp_dir.iterdir()) == []  # no temporary upload left
