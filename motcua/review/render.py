"""The review's sandboxed template engine: prose with figures, every number traced.

Section texts are written by staff, so they are rendered by an ``Engine`` of
their own: no loaders (no ``include``, ``extends``), no ``load``, ``debug``,
``url``, ``csrf_token`` or ``autoescape`` tags, no ``safe``/``safeseq``/``pprint``
filters, autoescaping on in HTML (the text's own characters escaped too); only the
prose filters below are added. A
template that does not compile or fails while rendering gives an error
message for its editor, never an exception.

Every number goes through a figure: ``{{ f.received }}`` or
``{{ f.received.value|so }}``. In HTML each one is a link to its indicator
with a tooltip naming it; in text (DOCX, PDF) it is the number alone, and
the annex lists the figures used.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django import template
from django.template import Context, Engine, defaultfilters, defaulttags
from django.template.base import TextNode
from django.template.library import Library
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from . import formatting
from .providers import Figure, Number

SAFE_TAGS = (
    "comment", "cycle", "filter", "firstof", "for", "if", "ifchanged", "now", "regroup",
    "spaceless", "templatetag", "verbatim", "widthratio", "with",
)  # fmt: skip
UNSAFE_FILTERS = frozenset(
    {"safe", "safeseq", "pprint", "escapejs", "json_script", "force_escape"}
    | {"center", "ljust", "rjust"}  # a width of a billion would fill the memory
)
MISSING_FIGURE = "[thiếu số liệu: %s]"


@dataclass
class _State:
    """What one rendering knows: HTML or text, the previous year, the figures used."""

    html: bool
    previous_year: int
    used: dict[str, Figure] = field(default_factory=dict)


_STATE: contextvars.ContextVar[_State | None] = contextvars.ContextVar("review_state", default=None)


@contextmanager
def rendering(*, html: bool, previous_year: int) -> Iterator[_State]:
    """Render review texts inside this block (numbers linked in HTML; figures used collected)."""
    state = _State(html, previous_year)
    token = _STATE.set(state)
    try:
        yield state
    finally:
        _STATE.reset(token)


def _state() -> _State:
    return _STATE.get() or _State(html=False, previous_year=0)


class TracedInt(int):
    """An integer value that remembers its figure (``f.code.value``)."""

    shown: Shown


class TracedFloat(float):
    """A decimal value that remembers its figure."""

    shown: Shown


def _traced(value: Number | None, shown: Shown) -> Any:
    if value is None:
        return None
    out: TracedInt | TracedFloat = (
        TracedInt(value) if isinstance(value, int) else TracedFloat(value)
    )
    out.shown = shown
    return out


class Shown:
    """A figure as templates see it: its fields, and itself written as its number."""

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self.code = figure.code
        self.label = figure.label
        self.unit = figure.unit
        self.source_indicator = figure.source_indicator
        self.target_assessment = figure.target_assessment or ""
        self.value = _traced(figure.value, self)
        self.previous_value = _traced(figure.previous_value, self)

    def _text(self) -> str:
        if self.figure.unit == formatting.PERCENT:
            return formatting.vn_percent(self.figure.value)
        return formatting.vn_number(self.figure.value)

    def __str__(self) -> str:
        return traced(self, self._text())

    def __html__(self) -> str:
        return traced(self, self._text())

    def __bool__(self) -> bool:
        return self.figure.value is not None


def traced(shown: Shown, text: str, note: str = "") -> SafeString | str:
    """Return ``text`` about ``shown``'s figure: a link with a tooltip in HTML, else plain."""
    state = _state()
    figure = shown.figure
    state.used.setdefault(figure.code, figure)
    if not state.html:
        return text
    title = f"{figure.label}: {figure.source_indicator}"
    if figure.how:
        title += f" = {figure.how}"
    if note:
        title += f" ({note})"
    if figure.url:
        return format_html(
            '<a class="review-figure" href="{}" title="{}" data-figure="{}">{}</a>',
            figure.url,
            title,
            figure.code,
            text,
        )
    return format_html(
        '<span class="review-figure" title="{}" data-figure="{}">{}</span>',
        title,
        figure.code,
        text,
    )


def _shown_of(value: Any) -> Shown | None:
    if isinstance(value, Shown):
        return value
    return getattr(value, "shown", None)


prose = Library()


@prose.filter
def so(value: Any, decimals: int = 2) -> str:
    """Write a number the Vietnamese way (182.616; 72,6); a figure as itself (a share with "%")."""
    if isinstance(value, Shown):
        return traced(value, value._text())
    if value is None or value == "":
        return formatting.MISSING
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    text = formatting.vn_number(value, int(decimals))
    shown = _shown_of(value)
    return traced(shown, text) if shown is not None else text


@prose.filter
def phan_tram(value: Any) -> str:
    """Write a percentage: 50,3%."""
    number = value.figure.value if isinstance(value, Shown) else value
    if not isinstance(number, int | float) or isinstance(number, bool):
        return formatting.MISSING
    text = formatting.vn_percent(number)
    shown = _shown_of(value)
    return traced(shown, text) if shown is not None else text


@prose.filter
def don_vi(value: Any) -> str:
    """Write a figure with its unit: "182.616 hồ sơ", "50,3%", "72,6 máy/100 dân"."""
    shown = _shown_of(value)
    if shown is None:
        return so(value)
    return traced(shown, formatting.with_unit(shown.figure.value, shown.figure.unit))


def _compare(value: Any, words: str) -> str:
    shown = _shown_of(value)
    if shown is None:
        return ""
    previous = formatting.with_unit(shown.figure.previous_value, shown.figure.unit)
    return traced(shown, words, f"năm trước: {previous}")


@prose.filter
def so_voi(value: Any) -> str:
    """Compare a figure with the previous year: "tăng 12,5% so với năm 2025"."""
    shown = _shown_of(value)
    if shown is None:
        return ""
    figure = shown.figure
    words = formatting.compare_words(
        figure.value, figure.previous_value, unit=figure.unit, previous_year=_state().previous_year
    )
    return _compare(value, words)


@prose.filter
def tang_giam(value: Any) -> str:
    """Tell how a figure moved: "tăng 12,5%", "giảm 2 điểm phần trăm", "bằng năm trước"."""
    shown = _shown_of(value)
    if shown is None:
        return ""
    figure = shown.figure
    return _compare(
        value, formatting.change_words(figure.value, figure.previous_value, unit=figure.unit)
    )


@prose.filter
def chenh_lech(value: Any) -> str:
    """Tell the difference from the previous year: "tăng 12 hồ sơ", "giảm 3 hồ sơ"."""
    shown = _shown_of(value)
    if shown is None:
        return ""
    figure = shown.figure
    return _compare(
        value, formatting.difference_words(figure.value, figure.previous_value, unit=figure.unit)
    )


@prose.filter
def chi_tieu(value: Any) -> str:
    """Return " (<assessment against the year's target>)", or "" without a target."""
    shown = _shown_of(value)
    if shown is None or not shown.figure.target_assessment:
        return ""
    return mark_safe(" (") + traced(shown, shown.figure.target_assessment) + mark_safe(")")


def _safe_defaults() -> Library:
    library = Library()
    for name in SAFE_TAGS:
        library.tags[name] = defaulttags.register.tags[name]
    for name, function in defaultfilters.register.filters.items():
        if name not in UNSAFE_FILTERS:
            library.filters[name] = function
    return library


def _engine(*, autoescape: bool) -> Engine:
    engine = Engine(loaders=[], autoescape=autoescape, debug=True, string_if_invalid=MISSING_FIGURE)
    engine.template_builtins = [_safe_defaults(), prose]
    engine.template_libraries = {}
    return engine


_ENGINES: dict[bool, Engine] = {}


def engine(*, html: bool) -> Engine:
    """Return the sandboxed engine (autoescaping for HTML)."""
    if html not in _ENGINES:
        _ENGINES[html] = _engine(autoescape=html)
    return _ENGINES[html]


class TemplateProblem(Exception):
    """A section's text does not compile or failed while rendering; ``message`` says where."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _problem(error: Exception) -> TemplateProblem:
    line = getattr(error, "template_debug", {}).get("line")
    where = f"dòng {line}: " if line else ""
    return TemplateProblem(f"{where}{error}")


def compile_text(text: str, *, html: bool) -> template.Template:
    """Compile a template text; TemplateProblem when it does not compile.

    In HTML the text's own characters are escaped too (a section is prose, never markup).
    """
    try:
        compiled = engine(html=html).from_string(text)
    except Exception as error:  # staff-written text: whatever it does, it must not break a page
        raise _problem(error) from None
    if html:
        for node in compiled.nodelist.get_nodes_by_type(TextNode):
            if isinstance(node, TextNode):
                node.s = escape(node.s)
    return compiled


def render_text(text: str, context: Mapping[str, Any], *, html: bool) -> str:
    """Render ``text`` with ``context``; TemplateProblem when it fails."""
    compiled = compile_text(text, html=html)
    try:
        return compiled.render(Context(dict(context), autoescape=html))
    except Exception as error:  # staff-written text: whatever it does, it must not break a page
        raise _problem(error) from None


def context_of(figures: Mapping[str, list[Figure]], **extra: Any) -> dict[str, Any]:
    """Return what section texts see: ``f`` (figures by code), each provider's list by name."""
    shown: dict[str, Shown] = {}
    lists: dict[str, list[Shown]] = {}
    for name, rows in figures.items():
        lists[name] = [Shown(figure) for figure in rows]
        for item in lists[name]:
            shown[item.code] = item
    return {"f": shown, **lists, **extra}


@dataclass(frozen=True)
class Block:
    """A paragraph ("p") or a bullet ("li") of a rendered section."""

    kind: str
    text: str


def blocks_of(rendered: str, *, html: bool) -> list[Block]:
    """Split rendered prose into paragraphs (blank lines) and bullets (lines starting "- ")."""
    out: list[Block] = []
    lines: list[str] = []

    def flush() -> None:
        if lines:
            joined = " ".join(lines)
            out.append(Block("p", mark_safe(joined) if html else joined))  # noqa: S308
            lines.clear()

    for raw in rendered.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("- "):
            flush()
            item = line[2:].strip()
            out.append(Block("li", mark_safe(item) if html else item))  # noqa: S308
        else:
            lines.append(line)
    flush()
    return out
