#!/usr/bin/env python
"""Measure throughput of the public endpoints against a running gunicorn.

Sets up a database (PostgreSQL by default: ``motcua_bench`` on 127.0.0.1), loads
the demo province and ``--dossiers`` synthetic dossiers, starts gunicorn with
several workers, and drives each scenario with ``wrk`` (Debian package ``wrk``)
from a second process. Prints the machine, then one line per scenario, and
writes the figures to ``bench/results/<timestamp>.json``.

    .venv/bin/python bench/run.py                  # PostgreSQL, 100k dossiers
    .venv/bin/python bench/run.py --sqlite --dossiers 20000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = str(ROOT / ".venv/bin/python")


def machine() -> dict[str, str]:
    """Describe the machine the figures come from."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.findall(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[0])
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg,
    }


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own loopback server
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url}")


def wrk(
    url: str, script: str, *, seconds: int, connections: int, env: dict[str, str]
) -> dict[str, float]:
    """Run wrk with one of the Lua scenarios and parse its summary."""
    cmd = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(BENCH / "wrk" / script),
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def latency(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out) or re.search(
            rf"^p{p} ([\d.]+) (ms)$", out, re.MULTILINE
        )  # wrk's own table has 50/75/90/99; a script's done() may print "p95 12.3 ms"
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "requests_per_second": rps,
        "p50_ms": latency("50"),
        "p95_ms": latency("95"),
        "p99_ms": latency("99"),
        "non_2xx": float(non2xx.group(1)) if non2xx else 0.0,
        "socket_errors": errors.group(0) if errors else "",  # type: ignore[dict-item]
    }


def gunicorn(
    env: dict[str, str], *, port: int, workers: int, threads: int
) -> subprocess.Popen[bytes]:
    """Serve the site with gunicorn (gthread) on the loopback, as the benches measure it."""
    command = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}"]
    command += ["-w", str(workers), "-k", "gthread", "--threads", str(threads)]
    return subprocess.Popen([*command, "--log-level", "warning"], cwd=ROOT, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="benchmark on SQLite instead of PostgreSQL"
    )
    parser.add_argument(
        "--dossiers", type=int, default=100_000, help="synthetic dossiers in the database"
    )
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", nargs="*", help="scenarios to run (default: all)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-0123456789abcdef",  # noqa: S106 - loopback bench
        SECURE_SSL_REDIRECT="false",  # plain http on the loopback (production redirects)
        MOTCUA_ANONYMOUS_SUBMISSION="true",  # the public mix submits without an identity
        LOG_LEVEL="ERROR",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        VAR_DIR=str(var),
        SITE_URL=f"http://127.0.0.1:{args.port}",
    )
    if args.sqlite:
        env["DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    else:
        env["DATABASE_URL"] = env.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench"
        )
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", "motcua_bench"], capture_output=True
        )

    print("== machine:", json.dumps(machine(), ensure_ascii=False))
    print("== preparing database", env["DATABASE_URL"].split("@")[-1])
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_demo")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    seeded = manage(env, "shell", "-c", f"import bench.seed as s; s.seed({args.dossiers})")
    print(seeded.strip())

    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            str(args.workers),
            "-k",
            "gthread",
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    results: dict[str, dict[str, float]] = {}
    try:
        wait_for(base + "/api/v1/procedures")
        scenarios = {
            "search (GET /api/v1/procedures?q=...)": ("search.lua", "/api/v1/procedures"),
            "search page (GET /thu-tuc/?q=..., HTML)": ("search_page.lua", "/thu-tuc/"),
            "tracking (GET /api/v1/dossiers/<code>)": ("track.lua", "/api/v1/dossiers/"),
            "submission (POST /api/v1/dossiers, 1 PDF)": ("submit.lua", "/api/v1/dossiers"),
            "mix (6 track : 3 search : 1 submit)": ("mix.lua", "/"),
            "receipt PDF (GET /ho-so/<code>/bien-nhan.pdf)": ("receipt.lua", "/"),
            "staff API mix (6 dossier : 4 inbox pages, token)": ("staff.lua", "/"),
        }
        wrk_env = dict(
            env,
            BENCH_DIR=str(BENCH),
            BENCH_CODES=str(var / "codes.txt"),
            BENCH_TOKEN=(var / "staff_token.txt").read_text().strip(),
        )
        for name, (script, path) in scenarios.items():
            if args.only and not any(o in name for o in args.only):
                continue
            figures = wrk(
                base + path, script, seconds=args.seconds, connections=args.connections, env=wrk_env
            )
            results[name] = figures
            print(
                f"{name:48s} {figures['requests_per_second']:8.1f} req/s  "
                f"p50 {figures['p50_ms']:.1f} ms  p99 {figures['p99_ms']:.1f} ms  "
                f"non-2xx {int(figures['non_2xx'])}"
            )
    finally:
        server.terminate()
        server.wait(10)

    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {"at": stamp, "machine": machine(), "args": vars(args), "results": results}
    (out_dir / f"{stamp}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False))
    print(f"== written bench/results/{stamp}.json")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
