"""Who to call and which travel bans apply, chosen by reply language and destination.

Reply language is our proxy for nationality: a Korean reader needs Korea's consular line
and Korea's travel bans, a Thai reader Thailand's. The data lives in rules/guidance/
so it can be corrected without a code change; every entry carries its source URL, the
date the source shows and the date a maintainer last compared the two. Only entries
marked `confidence: verbatim` load, so an unverified number can never reach a user.

Rendering here is limited to guidance lines; `bot.core.reply` lays out whole replies.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from bot.i18n import M_, Catalogs, Markup, Msg, escape, placeholders
from bot.packs.errors import Issue
from bot.packs.loader import schema_issues
from bot.packs.yamlsafe import Document, load_yaml

DESTINATIONS: tuple[str, ...] = ("KH", "MM", "LA", "PH", "TH")
ANY = "any"
FILES = ("contacts.yaml", "advisories.yaml")

_WHERE: Mapping[str, Msg] = MappingProxyType(
    {
        "from-abroad": M_("where.from-abroad", "from abroad"),
        "korean-sim": M_("where.korean-sim", "on a Korean SIM"),
        "local-sim": M_("where.local-sim", "on a local SIM"),
        "in-KR": M_("where.in-KR", "in Korea"),
        "in-TH": M_("where.in-TH", "in Thailand"),
        "in-VN": M_("where.in-VN", "in Vietnam"),
        "in-KH": M_("where.in-KH", "in Cambodia"),
        "in-PH": M_("where.in-PH", "in the Philippines"),
        "in-US": M_("where.in-US", "in the US"),
        "in-UK": M_("where.in-UK", "in the UK"),
        "metro-manila": M_("where.metro-manila", "in Metro Manila"),
        "ph-provinces": M_("where.ph-provinces", "from the provinces"),
    }
)
COUNTRY: Mapping[str, Msg] = MappingProxyType(
    {
        "KH": M_("country.KH", "Cambodia"),
        "MM": M_("country.MM", "Myanmar"),
        "LA": M_("country.LA", "Laos"),
        "PH": M_("country.PH", "the Philippines"),
        "TH": M_("country.TH", "Thailand"),
    }
)
_ISSUER: Mapping[str, Msg] = MappingProxyType(
    {
        "KR": M_("issuer.KR", "Korea's Ministry of Foreign Affairs"),
        "VN": M_("issuer.VN", "Vietnam's Ministry of Foreign Affairs"),
    }
)
_LEVEL: Mapping[str, Msg] = MappingProxyType(
    {
        "1": M_("level.1", "level {level}, travel with caution"),
        "2": M_("level.2", "level {level}, avoid travel"),
        "2.5": M_("level.2-5", "special travel advisory"),
        "3": M_("level.3", "level {level}, leave the country"),
        "4": M_("level.4", "level {level}, travel ban"),
    }
)
# TRANSLATORS: Steps a government published for its citizens held in a compound. Keep
# them short; the reader may be hiding while reading.
STEPS: Mapping[str, Msg] = MappingProxyType(
    {
        m.key: m
        for m in (
            M_(
                "step.kh-save-telegram",
                "Save {kh_police_telegram} in your phone's contacts. Through it you can reach "
                "the Cambodian police hotline {kh_police_117} on Telegram.",
            ),
            M_("step.kh-write-english", "Write your report briefly, in English."),
            M_(
                "step.kh-send-evidence",
                "Send it only to that police channel: how to reach you, a photo of the building "
                "with its GPS location, a copy of your passport, a current photo of your face "
                "and a short video asking to be rescued.",
            ),
            M_(
                "step.kh-in-person",
                "Cambodian police accept a report only from the person held, so the embassy "
                "cannot file it for you. It does help you write it and asks the local police "
                "to rescue you.",
            ),
        )
    }
)
SOURCE = M_("guide.source", "source: {sources}")
UNDATED = M_("guide.undated", "{domain} (the page shows no date)")
STALE = M_("guide.stale", "This number comes from an older source and may have changed.")
BAN_CURRENT = M_(
    "advisory.ban-current",
    "Travel ban: {issuer} bans travel to {area} ({level}) since {since}. "
    "The newest source we hold sets it until {until}.",
)
BAN_LAPSED = M_(
    "advisory.ban-lapsed",
    "Travel ban: {issuer} made {area} a travel-ban area ({level}) from {since}. "
    "The newest source we hold sets it until {until}. That date has passed and we have no "
    "newer source: it may have been extended. Check {site} before any travel.",
)
BAN_OPEN = M_(
    "advisory.ban-open",
    "Travel ban: {issuer} bans travel to {area} ({level}) since {since}.",
)
PENALTY = M_(
    "advisory.penalty",
    "Going or staying there without an exceptional passport-use permit is punishable under "
    "the Passport Act, article {article}: up to {years} year(s) in prison or a fine of up to "
    "KRW {fine}.",
)
PENALTY_IF_IN_FORCE = M_(
    "advisory.penalty-if-in-force",
    "If the ban is still in force, going or staying there without an exceptional passport-use "
    "permit is punishable under the Passport Act, article {article}: up to {years} year(s) in "
    "prison or a fine of up to KRW {fine}.",
)
ADVISORY = M_(
    "advisory.level",
    "Travel advisory: {issuer} rates {area} as {level} (in effect since {since}, "
    "confirmed {as_of}).",
)
AVOID = M_(
    "advisory.avoid", "Travel advisory: {issuer} advises its citizens to avoid {area} ({as_of})."
)


@lru_cache(maxsize=1024)  # source URLs come from the packs: a few dozen, shown on every reply
def _domain(url: str) -> str:
    host = (urlsplit(url).hostname or url).lower()
    return host.removeprefix("www.")


@dataclass(frozen=True, slots=True)
class Source:
    url: str
    date: str | None  # as printed on the page; None when the page shows no date

    @property
    def domain(self) -> str:
        return _domain(self.url)


@dataclass(frozen=True, slots=True)
class Number:
    value: str
    where: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    audience: frozenset[str]
    destinations: frozenset[str]
    show: frozenset[str]
    name: Mapping[str, str]
    numbers: tuple[Number, ...]
    sources: tuple[Source, ...]
    checked: str
    note: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    stale: bool = False

    @property
    def placeholder(self) -> str:
        """How a procedure step names this contact: its id with underscores."""
        return self.id.replace("-", "_")


@dataclass(frozen=True, slots=True)
class Procedure:
    id: str
    audience: frozenset[str]
    destinations: frozenset[str]
    steps: tuple[Msg, ...]
    contacts: tuple[Contact, ...]
    sources: tuple[Source, ...]
    checked: str


@dataclass(frozen=True, slots=True)
class Penalty:
    article: str
    years: str
    fine: str
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    issuer: str
    audience: frozenset[str]
    kind: str
    regions: frozenset[str]
    area: Mapping[str, str]
    as_of: str
    sources: tuple[Source, ...]
    checked: str
    level: str | None = None
    since: str | None = None
    until: str | None = None
    penalty: Penalty | None = None
    check_site: str | None = None


def _applies(
    audience: frozenset[str], where: frozenset[str], lang: str, dests: Iterable[str]
) -> bool:
    return lang in audience and (ANY in where or not where.isdisjoint(dests))


@dataclass(frozen=True)
class Guidance:
    contacts: tuple[Contact, ...]
    procedures: tuple[Procedure, ...]
    advisories: tuple[Advisory, ...]

    def contacts_for(
        self, lang: str, destinations: Collection[str], use: str
    ) -> tuple[Contact, ...]:
        """Contacts for this reader and place, in file order (the data sets priority)."""
        chosen = [
            c
            for c in self.contacts
            if use in c.show and _applies(c.audience, c.destinations, lang, destinations)
        ]
        return tuple(chosen)

    def procedures_for(self, lang: str, destinations: Collection[str]) -> tuple[Procedure, ...]:
        return tuple(
            p
            for p in self.procedures
            if ANY not in p.destinations
            and _applies(p.audience, p.destinations, lang, destinations)
        )

    def advisories_for(self, lang: str, region_ids: Collection[str]) -> tuple[Advisory, ...]:
        """Advisories of the reader's government for the regions found, bans first."""
        chosen = [a for a in self.advisories if lang in a.audience and a.regions & set(region_ids)]
        return tuple(sorted(chosen, key=lambda a: a.kind != "ban"))


# --- rendering ---------------------------------------------------------------------


def source_line(cat: Catalogs, lang: str, sources: Iterable[Source], limit: int = 1) -> Markup:
    """Newest dated sources first, compactly: "source: 0404.go.kr, 2025-10-28".

    The date shown is the date printed on the source, so the reader sees how old the
    information may be; a page without a date says so rather than borrowing one.
    """
    newest: dict[str, Source] = {}
    for source in sorted(sources, key=lambda s: s.date or "", reverse=True):
        newest.setdefault(source.domain, source)
    ordered = list(newest.values())
    items = [
        f"{escape(s.domain)}, {escape(s.date)}"
        if s.date
        else cat.html(lang, UNDATED, domain=s.domain)
        for s in ordered[:limit]
    ]
    return cat.html(lang, SOURCE, sources=Markup("; ".join(items)))


def numbers_text(cat: Catalogs, lang: str, contact: Contact) -> Markup:
    """Numbers as plain text (Telegram makes them tappable), each with where it works."""
    parts = []
    for number in contact.numbers:
        text = escape(number.value)
        if number.where:
            text = Markup(f"{text} ({cat.html(lang, _WHERE[number.where])})")
        parts.append(text)
    return Markup(" · ".join(parts))


def contact_block(cat: Catalogs, lang: str, contact: Contact) -> Markup:
    """Name and numbers, an optional note, an old-source warning, then the source."""
    lines = [Markup(f"• <b>{escape(contact.name[lang])}</b>: {numbers_text(cat, lang, contact)}")]
    if lang in contact.note:
        lines.append(escape(contact.note[lang]))
    if contact.stale:
        lines.append(Markup(f"⚠️ {cat.html(lang, STALE)}"))
    lines.append(Markup(f"<i>{source_line(cat, lang, contact.sources)}</i>"))
    return Markup("\n".join(lines))


def procedure_steps(cat: Catalogs, lang: str, procedure: Procedure) -> list[Markup]:
    """The steps in order, each `{contact_id}` filled with that contact's numbers."""
    values = {c.placeholder: numbers_text(cat, lang, c) for c in procedure.contacts}
    return [cat.html(lang, step, **values) for step in procedure.steps]


def advisory_block(cat: Catalogs, lang: str, advisory: Advisory, today: datetime.date) -> Markup:
    """One advisory; a ban whose stored end date has passed is worded as unconfirmed."""
    values = {"issuer": cat.text(lang, _ISSUER[advisory.issuer]), "area": advisory.area[lang]}
    if advisory.level:
        values["level"] = cat.text(lang, _LEVEL[advisory.level]).format(level=advisory.level)
    if advisory.kind == "ban":
        assert advisory.since is not None
        values["since"] = advisory.since
        lapsed = advisory.until is not None and datetime.date.fromisoformat(advisory.until) < today
        if advisory.until is None:
            text = cat.html(lang, BAN_OPEN, **values)
        elif not lapsed:
            text = cat.html(lang, BAN_CURRENT, until=advisory.until, **values)
        else:
            site = advisory.check_site or advisory.sources[0].domain
            text = cat.html(lang, BAN_LAPSED, until=advisory.until, site=site, **values)
        lines = [Markup(f"🚫 <b>{text}</b>"), _sources_line(cat, lang, advisory.sources)]
        if advisory.penalty:
            p = advisory.penalty
            wording = PENALTY_IF_IN_FORCE if lapsed else PENALTY
            lines.append(cat.html(lang, wording, article=p.article, years=p.years, fine=p.fine))
            lines.append(_sources_line(cat, lang, p.sources))
        return Markup("\n".join(lines))
    if advisory.kind == "advisory":
        text = cat.html(lang, ADVISORY, since=advisory.since or "", as_of=advisory.as_of, **values)
    else:
        text = cat.html(lang, AVOID, as_of=advisory.as_of, **values)
    return Markup(f"⚠️ {text}\n{_sources_line(cat, lang, advisory.sources)}")


def _sources_line(cat: Catalogs, lang: str, sources: Iterable[Source]) -> Markup:
    return Markup(f"<i>{source_line(cat, lang, sources, limit=3)}</i>")


# --- loading -----------------------------------------------------------------------


def load_guidance(
    guidance_dir: Path, region_ids: frozenset[str] | None
) -> tuple[Guidance | None, list[Issue]]:
    """Load and cross-check rules/guidance/. Returns (guidance or None, issues).

    `region_ids` are the ids of the loaded region rules; pass None while no region pack
    exists, which skips the "advisory names an unknown region" check.
    """
    issues: list[Issue] = []
    docs: dict[str, Document] = {}
    for name in FILES:
        doc, file_issues = load_yaml(guidance_dir / name, _display(guidance_dir / name))
        issues += file_issues
        if doc is not None and not file_issues:
            schema_problems = schema_issues(doc, "guidance")
            issues += schema_problems
            if not schema_problems:
                docs[name] = doc
    if len(docs) < len(FILES):
        return None, issues
    builder = _Builder(issues)
    contacts = builder.contacts(docs["contacts.yaml"])
    procedures = builder.procedures(docs["contacts.yaml"], contacts)
    advisories = builder.advisories(docs["advisories.yaml"], region_ids)
    if any(not issue.code.startswith("W") for issue in issues):
        return None, issues
    return Guidance(tuple(contacts.values()), procedures, advisories), issues


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _sources(raw: list[dict[str, str]]) -> tuple[Source, ...]:
    return tuple(Source(s["url"], None if s["date"] == "undated" else s["date"]) for s in raw)


class _Builder:
    """Turns validated documents into objects, reporting cross-reference problems."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues

    def _verbatim(self, doc: Document, key: str) -> Iterable[tuple[int, dict[str, Any]]]:
        seen: set[str] = set()
        for index, entry in enumerate(doc.data.get(key, [])):
            if entry["id"] in seen:
                problem = f"duplicate id '{entry['id']}'"
                self.issues.append(doc.issue((key, index, "id"), "G001", problem))
            seen.add(entry["id"])
            if entry["confidence"] == "verbatim":
                yield index, entry

    def _names(
        self, doc: Document, at: tuple[str | int, ...], entry: dict[str, Any], field: str
    ) -> None:
        missing = sorted(set(entry["audience"]) - set(entry[field]))
        if missing:
            self.issues.append(
                doc.issue(
                    (*at, field), "G002", f"{field} missing for audience {', '.join(missing)}"
                )
            )

    def contacts(self, doc: Document) -> dict[str, Contact]:
        result: dict[str, Contact] = {}
        for index, raw in self._verbatim(doc, "contacts"):
            self._names(doc, ("contacts", index), raw, "name")
            result[raw["id"]] = Contact(
                id=raw["id"],
                audience=frozenset(raw["audience"]),
                destinations=frozenset(raw["destinations"]),
                show=frozenset(raw["show"]),
                name=MappingProxyType(raw["name"]),
                numbers=tuple(Number(n["value"], n.get("where")) for n in raw["numbers"]),
                sources=_sources(raw["sources"]),
                checked=raw["checked"],
                note=MappingProxyType(raw.get("note", {})),
                stale=raw.get("stale", False),
            )
        return result

    def procedures(self, doc: Document, contacts: Mapping[str, Contact]) -> tuple[Procedure, ...]:
        result = []
        for index, raw in self._verbatim(doc, "procedures"):
            at = ("procedures", index)
            used = []
            for i, contact_id in enumerate(raw["contacts"]):
                if contact_id in contacts:
                    used.append(contacts[contact_id])
                else:
                    self.issues.append(
                        doc.issue(
                            (*at, "contacts", i), "G003", f"no verbatim contact '{contact_id}'"
                        )
                    )
            available = {c.placeholder for c in used}
            steps = []
            for i, key in enumerate(raw["steps"]):
                step = STEPS.get(key)
                if step is None:
                    self.issues.append(
                        doc.issue(
                            (*at, "steps", i), "G004", f"unknown step '{key}' (see guidance.py)"
                        )
                    )
                    continue
                unknown = placeholders(step.text) - available
                if unknown:
                    self.issues.append(
                        doc.issue(
                            (*at, "steps", i),
                            "G005",
                            f"step '{key}' needs contacts not listed: {', '.join(sorted(unknown))}",
                        )
                    )
                steps.append(step)
            result.append(
                Procedure(
                    id=raw["id"],
                    audience=frozenset(raw["audience"]),
                    destinations=frozenset(raw["destinations"]),
                    steps=tuple(steps),
                    contacts=tuple(used),
                    sources=_sources(raw["sources"]),
                    checked=raw["checked"],
                )
            )
        return tuple(result)

    def advisories(self, doc: Document, region_ids: frozenset[str] | None) -> tuple[Advisory, ...]:
        data = doc.data
        penalties = {
            key: Penalty(p["article"], p["years"], p["fine"], _sources(p["sources"]))
            for key, p in data.get("penalties", {}).items()
        }
        sites = {code: issuer["check_site"] for code, issuer in data.get("issuers", {}).items()}
        result = []
        for index, raw in self._verbatim(doc, "advisories"):
            at = ("advisories", index)
            self._names(doc, at, raw, "area")
            if raw["issuer"] not in _ISSUER:
                problem = f"no issuer name for '{raw['issuer']}' (see guidance.py)"
                self.issues.append(doc.issue((*at, "issuer"), "G007", problem))
            if raw["kind"] == "ban" and raw["issuer"] not in sites:
                self.issues.append(
                    doc.issue(
                        (*at, "issuer"), "G007", f"bans need issuers.{raw['issuer']}.check_site"
                    )
                )
            penalty = penalties.get(raw.get("penalty", ""))
            if "penalty" in raw and penalty is None:
                problem = f"unknown penalty '{raw['penalty']}'"
                self.issues.append(doc.issue((*at, "penalty"), "G008", problem))
            if "until" in raw and raw["until"] < raw.get("since", ""):
                self.issues.append(doc.issue((*at, "until"), "G009", "until is before since"))
            if region_ids is not None:
                for i, region in enumerate(raw["regions"]):
                    if region not in region_ids:
                        self.issues.append(
                            doc.issue(
                                (*at, "regions", i),
                                "W006",
                                f"no region rule with id '{region}' (this advisory never shows)",
                            )
                        )
            result.append(
                Advisory(
                    id=raw["id"],
                    issuer=raw["issuer"],
                    audience=frozenset(raw["audience"]),
                    kind=raw["kind"],
                    regions=frozenset(raw["regions"]),
                    area=MappingProxyType(raw["area"]),
                    as_of=raw["as_of"],
                    sources=_sources(raw["sources"]),
                    checked=raw["checked"],
                    level=raw.get("level"),
                    since=raw.get("since"),
                    until=raw.get("until"),
                    penalty=penalty,
                    check_site=sites.get(raw["issuer"]),
                )
            )
        return tuple(result)
