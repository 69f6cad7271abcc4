"""Everything the bot says, translated through gettext `.po` files read at run time.

Each message is declared once in code with `M_(key, english)`. The key becomes the
gettext `msgctxt` (stable, what code and callers use) and the English text the `msgid`
(what translators see). When the English changes, `pybabel update` marks the old
translations fuzzy, so a stale Thai warning can never ship silently: the loader refuses
fuzzy, missing or placeholder-breaking entries, and a reload keeps the last good set.

Extraction (see docs/replies.md):
    pybabel extract -k M_:1c,2 --no-default-keywords --add-comments=TRANSLATORS: \
        --sort-by-file -o locales/lurecheck.pot bot/

Translations are plain text. Code escapes them for Telegram HTML and adds all markup,
so a translator can never break a reply's HTML; numbers, dates and URLs come from data
through `{placeholders}` and never sit inside a translation.
"""

from __future__ import annotations

import gettext
import html
import re
import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from types import MappingProxyType

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from bot.core.model import LANGUAGES
from bot.packs.errors import Issue

DOMAIN = "lurecheck"
# A run of three or more digits or a URL scheme inside a translation is almost always a
# phone number, year or link that belongs in data (see conventions, section C).
_NUMBER_OR_URL = re.compile(r"\d{3,}|://")
# Babel silently repairs some broken lines (it drops the last character of an unclosed
# string), so every line is checked to be a comment, a keyword with a complete string,
# a continuation string, or blank.
_PO_LINE = re.compile(
    r'^(?:$|#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(?:[^"\\]|\\.)*"'
    r'|"(?:[^"\\]|\\.)*")$'
)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_MARKUP = re.compile(r"<[a-zA-Z/!]|&[#a-zA-Z0-9]+;")


@dataclass(frozen=True, slots=True)
class Msg:
    """One user-visible message: its stable key and its English source text."""

    key: str
    text: str


_REGISTRY: dict[str, Msg] = {}


def M_(key: str, text: str) -> Msg:
    """Declare a message; Babel finds these calls with the keyword spec `M_:1c,2`."""
    known = _REGISTRY.get(key)
    if known is not None and known.text != text:
        raise ValueError(f"message key {key!r} declared twice with different text")
    msg = Msg(key, text)
    _REGISTRY[key] = msg
    return msg


def registered() -> Mapping[str, Msg]:
    """Every message declared so far (import the modules that declare them first)."""
    return MappingProxyType(_REGISTRY)


def placeholders(text: str) -> set[str]:
    """Names of the `{placeholders}` in a format string; ValueError if braces are broken."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


class Markup(str):
    """Text that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def escape(value: str) -> Markup:
    """Escape user or data text for Telegram HTML text (Markup passes through unchanged).

    Quotes stay as they are: they only matter inside attributes, which `attribute` covers.
    """
    return value if isinstance(value, Markup) else Markup(html.escape(value, quote=False))


def attribute(value: str) -> Markup:
    """Escape a value for use inside a double-quoted HTML attribute (href)."""
    return Markup(html.escape(value, quote=True))


class Catalogs:
    """The loaded translations for all four languages."""

    def __init__(self, translations: Mapping[str, gettext.NullTranslations]) -> None:
        self._translations = MappingProxyType(dict(translations))
        # Escaped templates by (language, message): a reply uses dozens, every time.
        self._templates: dict[tuple[str, Msg], str] = {}

    def text(self, lang: str, msg: Msg) -> str:
        """The translation of `msg` (plain text, not yet escaped or formatted)."""
        translations = self._translations.get(lang) or self._translations["en"]
        return translations.pgettext(msg.key, msg.text)

    def html(self, lang: str, msg: Msg, **values: str) -> Markup:
        """Translate, escape, then fill placeholders with escaped values (Markup kept)."""
        template = self._templates.get((lang, msg))
        if template is None:
            template = self._templates[lang, msg] = html.escape(self.text(lang, msg), quote=False)
        return Markup(template.format(**{name: escape(v) for name, v in values.items()}))


def po_path(locales_dir: Path, lang: str) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_catalogs(
    locales_dir: Path, expected: Collection[Msg]
) -> tuple[Catalogs | None, list[Issue]]:
    """Read and check every locale. Returns (catalogs, issues); catalogs is None on errors.

    Issue codes starting with W are warnings (shown by lint, not blocking).
    """
    issues: list[Issue] = []
    translations: dict[str, gettext.NullTranslations] = {}
    for lang in LANGUAGES:
        path = po_path(locales_dir, lang)
        catalog, file_issues = _read(path, lang)
        issues += file_issues
        if catalog is None:
            continue
        issues += check_catalog(catalog, str(path), expected)
        buffer = BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        translations[lang] = gettext.GNUTranslations(buffer)
    if any(not issue.code.startswith("W") for issue in issues):
        return None, issues
    return Catalogs(translations), issues


def _read(path: Path, lang: str) -> tuple[Catalog | None, list[Issue]]:
    shown = str(path)
    try:
        raw = path.read_bytes()
        bad_lines = [
            Issue(shown, number, 1, "L002", f"PO syntax: cannot parse {line[:40]!r}")
            for number, line in enumerate(raw.decode("utf-8").splitlines(), 1)
            if not _PO_LINE.match(line.strip())
        ]
        if bad_lines:
            return None, bad_lines
        return read_po(BytesIO(raw), locale=lang, domain=DOMAIN, abort_invalid=True), []
    except FileNotFoundError:
        return None, [Issue(shown, 0, 0, "L001", f"missing locale file for '{lang}'")]
    except PoFileError as exc:
        return None, [Issue(shown, exc.lineno, 1, "L002", f"PO syntax: {exc}")]
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, [Issue(shown, 1, 1, "L002", f"cannot read: {exc}")]


def check_catalog(catalog: Catalog, shown: str, expected: Collection[Msg]) -> list[Issue]:
    """Every expected message present, current, non-fuzzy, plain, with the same placeholders."""
    issues: list[Issue] = []
    by_key = {m.context: m for m in catalog if m.id and m.context}
    for msg in sorted(expected, key=lambda m: m.key):
        entry = by_key.get(msg.key)
        if entry is None:
            issues.append(Issue(shown, 0, 0, "L003", f"'{msg.key}' is not translated"))
        else:
            issues += [
                Issue(shown, entry.lineno or 0, 1, code, f"'{msg.key}': {text}")
                for code, text in _entry_problems(msg, entry)
            ]
    known = {m.key for m in expected}
    for key, entry in by_key.items():
        if key not in known:
            issues.append(
                Issue(shown, entry.lineno or 0, 1, "W001", f"'{key}' is no longer used by the code")
            )
    return issues


def _entry_problems(msg: Msg, entry: Message) -> list[tuple[str, str]]:
    if entry.id != msg.text:
        return [("L010", "English source changed; run pybabel update and re-translate")]
    if entry.fuzzy:
        return [("L005", "translation is marked fuzzy (stale); review it and remove the flag")]
    translated = entry.string if isinstance(entry.string, str) else ""
    if not translated.strip():
        return [("L004", "empty translation")]
    try:
        wanted, got = placeholders(msg.text), placeholders(translated)
    except ValueError as exc:
        return [("L006", f"broken braces in translation: {exc}")]
    problems = []
    if wanted != got:
        problems.append(
            (
                "L006",
                f"placeholders differ: expected {sorted(wanted)}, translation has {sorted(got)}",
            )
        )
    if _MARKUP.search(translated):
        problems.append(("L007", "HTML tags or entities are added by code; use plain text"))
    if _NUMBER_OR_URL.search(_PLACEHOLDER.sub("", translated)):
        problems.append(("L008", "numbers and links belong in data; use a {placeholder}"))
    return problems
