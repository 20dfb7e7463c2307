#!/usr/bin/env python
"""Measure signing a one-page electronic result (PAdES, QR code, visible stamp) and checking it.

Uses the demo CA and a demo agency certificate (PKCS#12, made in a temporary
folder), a one-page PDF printed by WeasyPrint, and the real code of
``motcua.esign``: ``pdf.sign_pdf`` (what the approval runs for each result,
minus the database row) and ``verification.signature_facts`` (what the
verification page runs on an upload). The first signature, which cuts the
font and reads the key, is reported apart. Prints the machine and the
figures (median, 90th percentile). Never part of the test suite.

    .venv/bin/python bench/sign.py
    .venv/bin/python bench/sign.py --runs 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="motcua-sign-")
    os.environ.setdefault("DEBUG", "true")
    os.environ["ESIGN_DEMO_DIR"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.utils import timezone
    from weasyprint import HTML

    from bench.run import machine
    from motcua.esign import pdf, signers, verification

    original = HTML(
        string="<h1>Quyết định</h1><p>Kết quả giải quyết thủ tục hành chính.</p>" * 8
    ).write_pdf()
    backend = signers.agency_signers()
    stamp = pdf.Stamp(
        code="000.00.01.H15-261206-0001-KQ1",
        url="http://127.0.0.1:8000/xac-minh/000.00.01.H15-261206-0001-KQ1/",
        agency="Sở Tư pháp thành phố Đà Nẵng",
        person="Nguyễn Văn Lãnh",
        at=timezone.now(),
    )

    cpu: list[float] = []

    def sign_once() -> tuple[float, bytes]:
        start, start_cpu = time.perf_counter(), time.process_time()
        with backend.signer(code="000.00.11.H15", name="Sở Tư pháp thành phố Đà Nẵng") as s:
            data = pdf.sign_pdf(original, signer=s, stamp=stamp)
        cpu.append((time.process_time() - start_cpu) * 1000)
        return (time.perf_counter() - start) * 1000, data

    first, data = sign_once()  # issues the demo certificate, cuts the font
    cpu.clear()
    signing = [sign_once()[0] for _ in range(args.runs)]
    checking = []
    for _ in range(args.runs):
        start = time.perf_counter()
        facts = verification.signature_facts(data)
        checking.append((time.perf_counter() - start) * 1000)
    assert not isinstance(facts, verification.Verdict) and facts.trusted

    def line(name: str, values: list[float]) -> str:
        values = sorted(values)
        p90 = values[int(len(values) * 0.9) - 1]
        return f"{name}: median {statistics.median(values):.0f} ms, p90 {p90:.0f} ms"

    print(machine())
    print(f"one-page result, {len(original)} bytes -> signed {len(data)} bytes; {args.runs} runs")
    print(f"first signature (certificate issued, font cut, key read): {first:.0f} ms")
    print(line("sign (QR + visible stamp + PAdES, RSA 2048, SHA-256)", signing))
    print(line("  the same, CPU time of this process", cpu))
    print(f"load average: {os.getloadavg()[0]:.1f}")
    print(line("verify an upload (pyHanko validation against the trust roots)", checking))


if __name__ == "__main__":
    main()
