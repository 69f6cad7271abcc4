"""What a frightened job seeker reads: the verdict, the evidence, what to do, who to call.

Pure core: the Telegram layer and the CLI both call these functions and send or print
`Reply.parts` as they are. Parts are Telegram HTML (parse_mode="HTML"); every piece of
user or data text is escaped here, translations are plain text (see `bot.i18n`), and
each part fits Telegram's 4,096 UTF-16 code-unit limit, split on paragraph boundaries.

Wording rules: a message without findings gets "no *known* warning signs", never "safe"
in any language; numbers are plain text so Telegram makes them tappable (Telegram
rejects tel: buttons); buttons only switch language or open the "already there" help.

Callback data (all <= 64 bytes, parsed by `parse_callback`):
    lang:<xx>                 switch the reply language to xx (ko, en, th, vi)
    abroad:<xx>:<DEST.DEST>   "already there / someone is held" help in xx for the
                              destinations (ISO codes, dot-separated, may be empty)
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from types import MappingProxyType
from typing import TYPE_CHECKING

from bot.core import guidance as g
from bot.core.model import LANGUAGES, Finding, Result, Risk
from bot.core.rule import Rule
from bot.i18n import M_, Catalogs, Markup, Msg, attribute, escape, registered

if TYPE_CHECKING:
    from bot.core.knowledge import Knowledge

MAX_UTF16 = 4096
MAX_CALLBACK_BYTES = 64
MAX_EVIDENCE_CHARS = 60
MAX_EVIDENCE_PER_SIGN = 3

# Endonyms: a reader who cannot read the current language must still find their own.
LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType(
    {"ko": "한국어", "en": "English", "th": "ภาษาไทย", "vi": "Tiếng Việt"}
)


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # callback data, <= 64 bytes


@dataclass(frozen=True)
class Reply:
    parts: tuple[str, ...]
    buttons: tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class SetLanguage:
    """`lang:xx`: remember xx and, where the original message is at hand, re-render."""

    lang: str


@dataclass(frozen=True, slots=True)
class AbroadHelp:
    """`abroad:xx:KH.MM`: show `compose_abroad_help(xx, destinations)`."""

    lang: str
    destinations: tuple[str, ...]


CallbackAction = SetLanguage | AbroadHelp

# --- messages ------------------------------------------------------------------------

_RISK: Mapping[Risk, Msg] = MappingProxyType(
    {
        Risk.HIGH: M_(
            "risk.high", "High risk: this looks like a recruitment lure into a scam compound."
        ),
        Risk.MEDIUM: M_("risk.medium", "Medium risk: several warning signs of a recruitment lure."),
        Risk.LOW: M_(
            "risk.low", "Low risk: one warning sign. Check carefully before you go further."
        ),
    }
)
_RISK_SYMBOL: Mapping[Risk, str] = MappingProxyType(
    {Risk.HIGH: "🔴", Risk.MEDIUM: "🟠", Risk.LOW: "🟡"}
)
SIGNS = M_("reply.signs", "Warning signs in this message:")
ACTIONS = M_("reply.actions", "What to do now:")
_ACTION_LINES = (
    M_(
        "act.no-travel",
        "Do not travel for this job, and do not accept tickets or pick-ups from the recruiter.",
    ),
    M_("act.no-documents", "Do not send your passport, ID card or copies or photos of them."),
    M_(
        "act.check-employer",
        "Check the employer through official channels (your government's overseas employment "
        "office or your embassy), not through contacts the recruiter gives you.",
    ),
    M_("act.tell-family", "Talk to your family or a friend you trust before you decide anything."),
)
NONE_FOUND = M_("reply.none", "No known warning signs were found.")
NONE_CAVEAT = M_(
    "reply.none-caveat",
    "That does not prove the offer is genuine: recruiters change their wording all the time.",
)
CHECKLIST = M_("reply.checklist", "Before you accept a job abroad:")
_CHECKLIST_LINES = (
    M_(
        "check.employer",
        "Check the employer through official channels, not through the recruiter.",
    ),
    M_(
        "check.contract",
        "Get a written contract before you travel. "
        "Never hand over your passport or pay fees up front.",
    ),
    M_("check.family", "Tell your family where you are going and agree when you will check in."),
)
HELP_HEADING = M_("reply.help-heading", "Where to get help:")
EMBASSY_IN = M_(
    "reply.embassy-in",
    "Contact your own country's embassy in {country}: find it on your foreign ministry's "
    "official website, or call your foreign ministry's consular hotline, which can connect you.",
)
EMBASSY_ANY = M_(
    "reply.embassy-any",
    "If you are abroad, contact your own country's embassy: find it on your foreign ministry's "
    "official website, or call its consular hotline.",
)
ABROAD_HINT = M_(
    "reply.abroad-hint", "Already there, or someone you know is held? Tap the button below."
)
ABROAD_BUTTON = M_("button.abroad", "I am already there / someone I know is held")
OTHER_COUNTRY = M_("button.other-country", "Another country")

ABROAD_TITLE = M_("abroad.title", "If you or someone you know is held")
ABROAD_PRIVACY = M_(
    "abroad.privacy",
    "This bot cannot call anyone for you and passes nothing on. You do not need to type "
    "anything here.",
)
ABROAD_YOU = M_("abroad.you", "If you are held:")
ABROAD_HIDE = M_(
    "abroad.hide",
    "Contact help only when no one can see you do it. If your phone may be checked, delete "
    "this chat afterwards.",
)
ABROAD_BOTH = M_(
    "abroad.both", "Contact your embassy or consular line as well as the local police."
)
ABROAD_FAMILY = M_("abroad.family", "If someone you know is held:")
ABROAD_FAMILY_NOTE = M_(
    "abroad.family-note",
    "Do not go there yourself. Write down what you know (the city, the company, the "
    "recruiter's contacts, the last messages and photos) and give it to the lines below.",
)
ABROAD_FAMILY_MONEY = M_(
    "abroad.family-money", "Be wary of anyone who asks for money to get someone out."
)
ABROAD_PICK = M_("abroad.pick", "Which country? Tap one to see the right contacts.")
PRIVATE_LINK = M_("guard.private-link", "details in a private chat")

# TRANSLATORS: Short replies to commands and events. Keep them calm and brief.
MESSAGES: Mapping[str, Msg] = MappingProxyType(
    {
        m.key: m
        for m in (
            M_(
                "start",
                "Hello. Forward me a job offer, or paste its text or a screenshot, and I will "
                "check it for signs of a recruitment lure into scam compounds in Cambodia, "
                "Myanmar, Laos and nearby countries.\n\nI answer in Korean, English, Thai and "
                "Vietnamese, and I do not keep your messages.\n\nAlready abroad, or someone you "
                "know is held? Tap the button below.",
            ),
            M_(
                "help",
                "How to use me:\n• Forward a job offer, or paste its text. Screenshots work too.\n"
                "• I list the warning signs I find and who you can contact.\n"
                "• /language changes the language. /privacy explains what I keep. /forget "
                "deletes your settings.\n\nI can miss new tricks. If an offer feels wrong, do "
                "not go.",
            ),
            M_(
                "privacy",
                "What I keep: your language choice and group settings under a scrambled ID, and "
                "anonymous counts of which warning signs appear. I never store the text or "
                "pictures you send, or your Telegram ID. /forget deletes your settings at any "
                "time.",
            ),
            M_(
                "about",
                "LureCheck is free, open-source software. Its warning signs come from public "
                "reports by governments, the UN and journalists, and every phone number it shows "
                "comes with its source and date. It is not a government service and cannot "
                "contact anyone for you.",
            ),
            M_("forget_done", "Done. Your settings have been deleted."),
            M_("forget_nothing", "I had nothing stored about you."),
            M_("language_prompt", "Choose your language:"),
            M_("language_set", "I will answer in English from now on."),
            M_(
                "flood_limited",
                "You are sending a lot at once. Please wait a minute, then send the offer again.",
            ),
            M_(
                "ocr_unavailable",
                "I cannot read pictures right now. Please paste the text of the offer instead.",
            ),
            M_(
                "ocr_empty",
                "I could not find any text in this picture. Please paste the text of the offer "
                "or send a sharper screenshot.",
            ),
            M_(
                "unsupported_media",
                "I can only check text and pictures. Please paste the text of the offer.",
            ),
            M_("empty_text", "Please send me the text of the job offer you want to check."),
            M_(
                "too_long_truncated",
                "Your message was very long, so I checked only its beginning.",
            ),
            M_(
                "group_guard_warning",
                "⚠️ The message above shows signs of a job-scam lure. Do not go and do not send "
                "documents. Help: {link}",
            ),
            M_(
                "guard_on",
                "Group guard is on. I will post a short warning under messages that look like "
                "recruitment lures.",
            ),
            M_("guard_off", "Group guard is off."),
            M_("not_admin", "Only group admins can change this."),
            M_("reload_ok", "Rules reloaded."),
            M_(
                "reload_failed",
                "Reload refused: the previous rules are still in use. Run the rules lint command "
                "for details.",
            ),
            M_("stale_button", "This button has expired. Please send the offer again."),
            M_(
                "error_try_later",
                "Something went wrong on my side. Please try again in a few minutes.",
            ),
        )
    }
)
# Placeholders whose values are links: rendered as <a href>, only https allowed.
_LINK_VALUES = frozenset({"link"})
_WITH_LANGUAGE_BUTTONS = frozenset({"start", "help", "language_prompt"})
_WITH_ABROAD_BUTTON = frozenset({"start", "help"})


def messages() -> Mapping[str, Msg]:
    """Every message the replies can use (for loading and checking the catalogs)."""
    return registered()


# --- public API ------------------------------------------------------------------------


def compose_reply(
    result: Result, lang: str, kb: Knowledge, *, today: datetime.date | None = None
) -> Reply:
    """The full answer to a checked message, in `lang`.

    `today` decides whether a stored ban end date has passed; tests pass it explicitly.
    """
    lang = _known(lang)
    cat = kb.catalogs
    day = today or datetime.date.today()
    paragraphs: list[str] = []
    if result.truncated:
        paragraphs.append(f"<i>{cat.html(lang, MESSAGES['too_long_truncated'])}</i>")
    if result.findings:
        risk = result.risk if result.risk in _RISK else Risk.LOW
        paragraphs.append(f"{_RISK_SYMBOL[risk]} <b>{cat.html(lang, _RISK[risk])}</b>")
        paragraphs.append(f"<b>{cat.html(lang, SIGNS)}</b>")
        rules = kb.engine.rules
        ordered = sorted(result.findings, key=lambda f: -f.weight)
        paragraphs += [_sign(f, lang, rules) for f in ordered]
        paragraphs.append(
            _bullets(cat.html(lang, ACTIONS), (cat.html(lang, m) for m in _ACTION_LINES))
        )
    else:
        paragraphs.append(f"⚪ <b>{cat.html(lang, NONE_FOUND)}</b>\n{cat.html(lang, NONE_CAVEAT)}")
        paragraphs.append(
            _bullets(
                cat.html(lang, CHECKLIST),
                (cat.html(lang, m) for m in _CHECKLIST_LINES),
                numbered=True,
            )
        )
    paragraphs += _help_section(result, lang, kb, day)
    return Reply(_split(paragraphs), _reply_buttons(lang, result.destinations, cat))


def compose_abroad_help(lang: str, destinations: Sequence[str], kb: Knowledge) -> Reply:
    """Emergency routes for someone already at a destination, or their family.

    Asks for nothing: every step is something the reader does with official channels.
    """
    lang = _known(lang)
    cat = kb.catalogs
    dests = tuple(d for d in g.DESTINATIONS if d in set(destinations))
    guide = kb.guidance
    procedures = guide.procedures_for(lang, dests)
    in_procedures = {c.id for p in procedures for c in p.contacts}
    paragraphs = [
        f"🆘 <b>{cat.html(lang, ABROAD_TITLE)}</b>\n{cat.html(lang, ABROAD_PRIVACY)}",
    ]
    you = [cat.html(lang, ABROAD_HIDE)]
    for procedure in procedures:
        you += g.procedure_steps(cat, lang, procedure)
    you.append(cat.html(lang, ABROAD_BOTH))
    paragraphs.append(_bullets(cat.html(lang, ABROAD_YOU), you, numbered=True))
    for procedure in procedures:
        paragraphs[-1] += f"\n<i>{g.source_line(cat, lang, procedure.sources, limit=2)}</i>"
    paragraphs.append(
        _bullets(
            cat.html(lang, ABROAD_FAMILY),
            (cat.html(lang, ABROAD_FAMILY_NOTE), cat.html(lang, ABROAD_FAMILY_MONEY)),
        )
    )
    contacts = [c for c in guide.contacts_for(lang, dests, "abroad") if c.id not in in_procedures]
    paragraphs.append(f"<b>{cat.html(lang, HELP_HEADING)}</b>")
    paragraphs += [g.contact_block(cat, lang, c) for c in contacts]
    if lang == "en":
        paragraphs += _embassy_lines(cat, lang, dests)
    if not dests:
        paragraphs.append(cat.html(lang, ABROAD_PICK))
    return Reply(_split(paragraphs), _abroad_buttons(lang, dests, cat))


def compose_message(key: str, lang: str, kb: Knowledge, **values: str) -> Reply:
    """A short fixed message (start, help, errors...). `link` values must be https URLs."""
    msg = MESSAGES.get(key)
    if msg is None:
        raise KeyError(f"unknown message key {key!r}")
    lang = _known(lang)
    cat = kb.catalogs
    filled: dict[str, str] = {}
    for name, value in values.items():
        if name in _LINK_VALUES:
            if not value.startswith("https://"):
                raise ValueError(f"{name} must be an https URL")
            filled[name] = Markup(
                f'<a href="{attribute(value)}">{cat.html(lang, PRIVATE_LINK)}</a>'
            )
        else:
            filled[name] = value
    text = cat.html(lang, msg, **filled)
    rows: list[tuple[Button, ...]] = []
    if key in _WITH_LANGUAGE_BUTTONS:
        shown = LANGUAGES if key == "language_prompt" else _others(lang)
        rows.append(tuple(Button(LANGUAGE_NAMES[x], f"lang:{x}") for x in shown))
    if key in _WITH_ABROAD_BUTTON:
        rows.append((_abroad_button(lang, (), cat),))
    return Reply(_split(text.split("\n\n")), tuple(rows))


def parse_callback(data: str) -> CallbackAction | None:
    """The action behind a button, or None for anything malformed or out of date."""
    kind, _, rest = data.partition(":")
    if kind == "lang" and rest in LANGUAGES:
        return SetLanguage(rest)
    if kind == "abroad":
        lang, sep, dest_text = rest.partition(":")
        if not sep or lang not in LANGUAGES:
            return None
        dests = tuple(dest_text.split(".")) if dest_text else ()
        if len(set(dests)) != len(dests) or not set(dests) <= set(g.DESTINATIONS):
            return None
        return AbroadHelp(lang, dests)
    return None


# --- pieces ------------------------------------------------------------------------------


def _known(lang: str) -> str:
    """One of the four languages; anything else gets English rather than an error."""
    return lang if lang in LANGUAGES else "en"


def _others(lang: str) -> tuple[str, ...]:
    return tuple(x for x in LANGUAGES if x != lang)


def _abroad_data(lang: str, dests: Iterable[str]) -> str:
    return f"abroad:{lang}:{'.'.join(dests)}"


def _abroad_button(lang: str, dests: Sequence[str], cat: Catalogs) -> Button:
    return Button(f"🆘 {cat.text(lang, ABROAD_BUTTON)}", _abroad_data(lang, dests))


def _reply_buttons(
    lang: str, dests: Sequence[str], cat: Catalogs
) -> tuple[tuple[Button, ...], ...]:
    switch = tuple(Button(LANGUAGE_NAMES[x], f"lang:{x}") for x in _others(lang))
    known = [d for d in g.DESTINATIONS if d in dests]
    return (switch, (_abroad_button(lang, known, cat),))


def _abroad_buttons(
    lang: str, dests: Sequence[str], cat: Catalogs
) -> tuple[tuple[Button, ...], ...]:
    rows: list[tuple[Button, ...]] = [
        tuple(Button(LANGUAGE_NAMES[x], _abroad_data(x, dests)) for x in _others(lang))
    ]
    if dests:
        rows.append((Button(cat.text(lang, OTHER_COUNTRY), _abroad_data(lang, ())),))
    else:
        countries = [
            Button(cat.text(lang, g.COUNTRY[d]), _abroad_data(lang, (d,))) for d in g.DESTINATIONS
        ]
        rows += [tuple(countries[:3]), tuple(countries[3:])]
    return tuple(rows)


def _quote(text: str) -> str:
    """Quoted, escaped evidence: whitespace folded, long spans cut with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) > MAX_EVIDENCE_CHARS:
        flat = flat[: MAX_EVIDENCE_CHARS - 1].rstrip() + "…"
    return f"“{escape(flat)}”"


def _sign(finding: Finding, lang: str, rules: Mapping[str, Rule]) -> str:
    """One warning sign: title, the distinct words that triggered it, the explanation."""
    rule = rules.get(finding.rule)
    title = rule.title.get(lang) if rule else None
    explain = rule.explain.get(lang) if rule else None
    quotes: dict[str, str] = {}
    for span in finding.evidence:
        folded = " ".join(span.text.split())
        if folded:
            quotes.setdefault(folded.casefold(), _quote(folded))
    line = f"• <b>{escape(title or finding.rule)}</b>"
    if quotes:
        line += ": " + ", ".join(list(quotes.values())[:MAX_EVIDENCE_PER_SIGN])
    if explain:
        line += f"\n{escape(explain)}"
    return line


def _bullets(heading: str, lines: Iterable[str], *, numbered: bool = False) -> str:
    items = [f"{i}. {line}" if numbered else f"• {line}" for i, line in enumerate(lines, 1)]
    return "\n".join([f"<b>{heading}</b>", *items])


def _embassy_lines(cat: Catalogs, lang: str, dests: Sequence[str]) -> list[str]:
    if not dests:
        return [cat.html(lang, EMBASSY_ANY)]
    return [cat.html(lang, EMBASSY_IN, country=cat.text(lang, g.COUNTRY[d])) for d in dests]


def _help_section(result: Result, lang: str, kb: Knowledge, today: datetime.date) -> list[str]:
    cat = kb.catalogs
    dests = [d for d in g.DESTINATIONS if d in result.destinations] if result.findings else []
    out = [f"<b>{cat.html(lang, HELP_HEADING)}</b>"]
    if result.findings:
        advisories = kb.guidance.advisories_for(lang, result.rule_ids)
        out += [g.advisory_block(cat, lang, a, today) for a in advisories]
    out += [g.contact_block(cat, lang, c) for c in kb.guidance.contacts_for(lang, dests, "reply")]
    if lang == "en":
        out += _embassy_lines(cat, lang, dests)
    out.append(f"🆘 {cat.html(lang, ABROAD_HINT)}")
    return out


# --- Telegram HTML ---------------------------------------------------------------------

_ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "code", "pre", "a", "blockquote"})
_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _TagChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed")
        names = {name for name, _ in attrs}
        allowed_attrs = {"href"} if tag == "a" else set()
        if names - allowed_attrs:
            self.problems.append(f"<{tag}> has attributes {sorted(names - allowed_attrs)}")
        if tag == "a" and not dict(attrs).get("href"):
            self.problems.append("<a> without href")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close the open tag")
        else:
            self.stack.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/> is not Telegram HTML")


def html_problems(text: str) -> list[str]:
    """Why `text` would be rejected by Telegram's HTML parse mode ([] when it is fine)."""
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    problems = checker.problems
    if checker.stack:
        problems.append(f"unclosed tags: {checker.stack}")
    if _ENTITY.search(text):
        problems.append("bare '&' or unsupported entity")
    stripped = re.sub(r"</?[a-z]+(?:\s[^<>]*)?>", "", text)
    if "<" in stripped or ">" in stripped:
        problems.append("bare '<' or '>' outside a tag")
    if utf16_len(text) > MAX_UTF16:
        problems.append(f"longer than {MAX_UTF16} UTF-16 code units")
    return problems


def _split(paragraphs: Iterable[str]) -> tuple[str, ...]:
    """Join paragraphs into as few parts as fit, never cutting inside a paragraph.

    A paragraph is self-contained HTML, so cutting between paragraphs keeps every part
    valid. A single paragraph over the limit (not produced by our own texts) is cut
    between lines, and a single line is cut as plain text.
    """
    parts: list[str] = []
    current = ""
    used = 0  # UTF-16 units in `current`, kept as a running sum (no re-encoding)
    for paragraph in _fit(p for p in paragraphs if p.strip()):
        size = utf16_len(paragraph)
        if current and used + 2 + size <= MAX_UTF16:  # 2: the blank line between
            current, used = f"{current}\n\n{paragraph}", used + 2 + size
        else:
            if current:
                parts.append(current)
            current, used = paragraph, size
    if current:
        parts.append(current)
    return tuple(parts)


def _fit(paragraphs: Iterable[str]) -> Iterable[str]:
    for paragraph in paragraphs:
        if utf16_len(paragraph) <= MAX_UTF16:
            yield paragraph
            continue
        for line in paragraph.split("\n"):
            if utf16_len(line) <= MAX_UTF16:
                yield line
            else:
                yield _cut(html.unescape(re.sub(r"<[^<>]+>", "", line)))


def _cut(plain: str) -> str:
    """Escaped plain text cut so that it, plus an ellipsis, fits in one part."""
    kept: list[str] = []
    size = utf16_len("…")
    for char in plain:
        piece = escape(char)
        size += utf16_len(piece)
        if size > MAX_UTF16:
            break
        kept.append(piece)
    return "".join(kept) + "…"
