"""The Vietnamese catalogue is complete: every msgid translated, nothing fuzzy."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    """One message of a .po file."""

    line: int
    flags: set[str] = field(default_factory=set)
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)


def _unquote(text: str) -> str:
    return str(ast.literal_eval(text))


def parse_po(text: str) -> list[Entry]:
    """Parse the entries of a .po file (header included, obsolete ``#~`` entries skipped)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    flags: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith(("#", "msgctxt")):
            continue
        elif line.startswith("msgid_plural "):
            assert current is not None
            current.msgid_plural = _unquote(line[len("msgid_plural ") :])
            target = ("msgid_plural", 0)
        elif line.startswith("msgid "):
            current = Entry(line=number, flags=flags)
            flags = set()
            entries.append(current)
            current.msgid = _unquote(line[len("msgid ") :])
            target = ("msgid", 0)
        elif line.startswith("msgstr["):
            assert current is not None
            index = int(line[len("msgstr[") : line.index("]")])
            current.msgstr[index] = _unquote(line[line.index("]") + 1 :].strip())
            target = ("msgstr", index)
        elif line.startswith("msgstr "):
            assert current is not None
            current.msgstr[0] = _unquote(line[len("msgstr ") :])
            target = ("msgstr", 0)
        elif line.startswith('"'):
            assert current is not None and target is not None
            part = _unquote(line)
            kind, index = target
            if kind == "msgid":
                current.msgid += part
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + part
            else:
                current.msgstr[index] += part
    return entries


def test_parser_reads_plurals_continuations_and_flags() -> None:
    entries = parse_po(
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: vi\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "%(n)d file"\nmsgid_plural "%(n)d files"\n'
        'msgstr[0] "%(n)d tệp"\n\nmsgid "Long "\n"text"\nmsgstr ""\n'
    )

    assert entries[0].flags == {"fuzzy"}
    assert entries[0].msgstr[0] == "Language: vi\n"
    assert entries[1].msgid_plural == "%(n)d files"
    assert entries[1].msgstr == {0: "%(n)d tệp"}
    assert entries[1].flags == {"python-format"}
    assert entries[2].msgid == "Long text"
    assert entries[2].msgstr == {0: ""}


def test_vietnamese_catalogue_has_no_untranslated_or_fuzzy_message() -> None:
    entries = [e for e in parse_po(CATALOGUE.read_text(encoding="utf-8")) if e.msgid]

    untranslated = [e.msgid for e in entries if not e.msgstr or not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert entries, "the catalogue is empty"
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"


def test_vietnamese_catalogue_header_is_not_fuzzy() -> None:
    header = next(e for e in parse_po(CATALOGUE.read_text(encoding="utf-8")) if not e.msgid)

    assert "fuzzy" not in header.flags
    assert "Language: vi" in header.msgstr[0]
