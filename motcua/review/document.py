"""The annual review as a document: the template's sections rendered with the year's figures.

``review_document`` reads the figures once (``providers.figures_of``), the
month-by-month series once when a chart needs it, renders each section's
prose (HTML with linked numbers for the preview, text for DOCX and PDF),
builds its chart's data, and lists in the annex every figure the document
used, in the order first used. A section whose text fails keeps its error
for the editor; the rest of the document is unaffected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

from motcua.core.pdf import place_date
from motcua.statistics.selectors import series

from .charts import BARS, LINE, STACKED, ChartData
from .models import ChartKind, ReviewSection, ReviewTemplate
from .providers import Figure, FigureSet, ReviewInput, figures_of
from .render import Block, TemplateProblem, blocks_of, context_of, render_text, rendering

CHANNEL_MEASURES = ("recv_counter", "recv_online", "recv_post")
VERDICT_MEASURES = ("fin_early", "fin_on_time", "fin_late")
NO_FIGURES = "Không có số liệu để vẽ biểu đồ."


@dataclass
class RenderedSection:
    """A section of the document: its heading, paragraphs and bullets, chart, or its error."""

    pk: int | None
    position: int
    heading: str
    blocks: list[Block]
    chart: ChartData | None = None
    error: str = ""


@dataclass
class ReviewDocument:
    """The whole review: the heading block, the title, the sections and the annex."""

    review: ReviewInput
    template: ReviewTemplate
    issuer_parent: str
    issuer: str
    title: str
    place_date: str
    sections: list[RenderedSection]
    annex: list[Figure]
    figures: FigureSet
    errors: list[str] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.review.year


def _months(
    review: ReviewInput, sections: Sequence[ReviewSection]
) -> list[tuple[str, dict[str, int]]]:
    kinds = {s.chart for s in sections}
    if not kinds & {ChartKind.CHANNELS, ChartKind.ON_TIME}:
        return []
    rows = series(
        where=review.province.where,
        period=review.period,
        names=CHANNEL_MEASURES + VERDICT_MEASURES,
    )
    return [(f"T{month.month}", dict(values)) for month, values in rows]


def _chart(
    section: ReviewSection,
    figures: FigureSet,
    months: list[tuple[str, dict[str, int]]],
    review: ReviewInput,
) -> tuple[ChartData | None, list[Figure]]:
    """Return the chart of ``section`` and the figures it draws (for the annex)."""
    title = section.chart_title
    categories = tuple(label for label, _ in months)
    if section.chart == ChartKind.CHANNELS:
        names = ("Trực tiếp", "Trực tuyến", "Bưu chính công ích")
        return ChartData(
            STACKED,
            title or f"Hồ sơ tiếp nhận theo kênh, từng tháng năm {review.year}",
            categories,
            tuple(
                (name, tuple(float(v[m]) for _, v in months))
                for name, m in zip(names, CHANNEL_MEASURES, strict=True)
            ),
            y_label="Hồ sơ",
        ), []
    if section.chart == ChartKind.ON_TIME:

        def rate(v: dict[str, int]) -> float | None:
            judged = sum(v[m] for m in VERDICT_MEASURES)
            return round(100 * (v["fin_early"] + v["fin_on_time"]) / judged, 1) if judged else None

        return ChartData(
            LINE,
            title or f"Tỷ lệ hồ sơ giải quyết đúng hạn, từng tháng năm {review.year} (%)",
            categories,
            (("Đúng hạn (%)", tuple(rate(v) for _, v in months)),),
            y_label="%",
            percent=True,
        ), []
    if section.chart == ChartKind.BARS:
        drawn = [figures.by_code[c] for c in section.chart_codes if c in figures.by_code]
        if not drawn:
            return None, []
        series_: list[tuple[str, tuple[float | None, ...]]] = [
            (f"Năm {review.year}", tuple(_float(f.value) for f in drawn))
        ]
        if any(f.previous_value is not None for f in drawn):
            series_.insert(
                0, (f"Năm {review.year - 1}", tuple(_float(f.previous_value) for f in drawn))
            )
        return ChartData(
            BARS,
            title or section.heading,
            tuple(f.label for f in drawn),
            tuple(series_),
            percent=all(f.unit == "%" for f in drawn),
        ), drawn
    return None, []


def _float(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def review_document(
    *,
    template: ReviewTemplate,
    sections: Sequence[ReviewSection],
    review: ReviewInput,
    html: bool,
    today: dt.date,
) -> ReviewDocument:
    """Render ``template`` for ``review``: 4-6 queries (figures, catalogue, monthly series)."""
    figures = figures_of(review)
    months = _months(review, sections)
    extra = {
        "year": review.year,
        "previous_year": review.year - 1,
        "province": review.province.name,
    }
    context = context_of(figures.by_provider, **extra)
    rendered: list[RenderedSection] = []
    errors: list[str] = []
    with rendering(html=html, previous_year=review.year - 1) as state:
        try:
            title = render_text(template.title, context, html=False)
        except TemplateProblem as problem:
            title = template.title
            errors.append(f"Tiêu đề: {problem.message}")
        for section in sections:
            out = RenderedSection(section.pk, section.position, section.heading, [])
            try:
                out.blocks = blocks_of(render_text(section.body, context, html=html), html=html)
            except TemplateProblem as problem:
                out.error = problem.message
                errors.append(f"{section.heading}: {problem.message}")
            out.chart, drawn = _chart(section, figures, months, review)
            for figure in drawn:
                state.used.setdefault(figure.code, figure)
            rendered.append(out)
        annex = list(state.used.values())
    unit = SimpleNamespace(name=review.province.name, parent_id=None, parent=None)
    return ReviewDocument(
        review=review,
        template=template,
        issuer_parent=f"ỦY BAN NHÂN DÂN {review.province.name.upper()}",
        issuer=template.issuer.upper(),
        title=title,
        place_date=place_date(SimpleNamespace(administrative_unit=unit), today),
        sections=rendered,
        annex=annex,
        figures=figures,
        errors=errors,
    )
