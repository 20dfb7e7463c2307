#!/usr/bin/env python
"""Measure ``esign.pdf.content_scale``: is the QR code's corner blank, and how much to shrink.

Four first pages: a text page leaving the corner blank (the demo's results),
a text page drawing in it, a page printed by WeasyPrint, and a 150 dpi
scanned page (one image). Prints the scale found and the median and 90th
percentile of 20 runs. Never part of the test suite.

    .venv/bin/python bench/qr_zone.py
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from PIL import Image, ImageDraw
    from weasyprint import HTML

    from motcua.demo.dossiers import RESULT_TOP, minimal_pdf
    from motcua.esign import pdf

    a4 = (0.0, 0.0, 595.0, 842.0)
    body = "<p>Nội dung kết quả giải quyết thủ tục hành chính.</p>" * 40
    printed = HTML(string=f"<h1>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</h1>{body}").write_pdf()
    scan = Image.new("RGB", (1240, 1754), (236, 236, 230))
    draw = ImageDraw.Draw(scan)
    for y in range(100, 1700, 30):
        draw.text((120, y), "Noi dung van ban scan " * 5, fill=(20, 20, 20))
    scanned = io.BytesIO()
    scan.save(scanned, format="PDF", resolution=150)
    pages = [
        ("text page, corner blank", minimal_pdf(["x" * 60] * 5, top=RESULT_TOP)),
        ("text page, drawn in the corner", minimal_pdf(["x" * 60] * 5, top=800)),
        ("WeasyPrint page", printed),
        ("150 dpi scan (an image)", scanned.getvalue()),
    ]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| first page | scale | median | p90 |\n|---|---:|---:|---:|")
    for name, data in pages:
        times = []
        for _ in range(20):
            start = time.perf_counter()
            scale = pdf.content_scale(data, a4)
            times.append((time.perf_counter() - start) * 1000)
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"| {name} | {scale} | {statistics.median(times):.1f} ms | {p90:.1f} ms |")


if __name__ == "__main__":
    main()
