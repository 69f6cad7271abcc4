"""Pull structured evidence out of folded text: phone numbers, handles, money.

These are facts rules can ask about ("a +855 number", "an @handle", "more than
5,000,000 won a month") that word lists cannot express. All patterns here are fixed
and linear; maintainers' own regexes go through RE2 in the matcher instead.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import phonenumbers


class Hit(NamedTuple):
    """A span of the folded text plus what was recognised there."""

    start: int
    end: int
    value: str


class Amount(NamedTuple):
    start: int
    end: int
    currency: str
    monthly: float  # converted to a monthly figure in its own currency


_PHONE = re.compile(r"(?:\+|00)\s?[1-9][\d \t().-]{6,18}\d")
_WA_LINK = re.compile(r"wa\.me/\+?(\d{8,15})")
_HANDLE = re.compile(r"@([a-z][a-z0-9_]{3,31})(?![\w@])")
_EMAIL_TAIL = re.compile(r"^\.[a-z]{2,}")

# --- money -------------------------------------------------------------------------
_CURRENCY_WORDS: dict[str, str] = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "달러": "USD",
    "불": "USD",
    "do": "USD",
    "do la": "USD",
    "dola": "USD",
    "ดอลลาร์": "USD",
    "ดอลล่าร์": "USD",
    "usdt": "USDT",
    "u": "USDT",
    "원": "KRW",
    "krw": "KRW",
    "₩": "KRW",
    "won": "KRW",
    "vnd": "VND",
    "vnđ": "VND",
    "dong": "VND",
    "₫": "VND",
    "d": "VND",
    "บาท": "THB",
    "thb": "THB",
    "฿": "THB",
    "baht": "THB",
    "php": "PHP",
    "₱": "PHP",
    "peso": "PHP",
    "pesos": "PHP",
    "riel": "KHR",
    "khr": "KHR",
    "៛": "KHR",
    "kyat": "MMK",
    "mmk": "MMK",
    "kip": "LAK",
    "lak": "LAK",
    "₭": "LAK",
    "yuan": "CNY",
    "rmb": "CNY",
    "元": "CNY",
    "¥": "CNY",
    "cny": "CNY",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
}
# Multipliers that also settle the currency when none is written ("500만", "30 triệu").
_MULTIPLIERS: dict[str, tuple[float, str | None]] = {
    "k": (1e3, None),
    "nghin": (1e3, "VND"),
    "ngan": (1e3, "VND"),
    "trieu": (1e6, "VND"),
    "tr": (1e6, "VND"),
    "cu": (1e6, "VND"),
    "ty": (1e9, "VND"),
    "만": (1e4, "KRW"),
    "천": (1e3, "KRW"),
    "억": (1e8, "KRW"),
    "백만": (1e6, "KRW"),
    "พัน": (1e3, "THB"),
    "หมื่น": (1e4, "THB"),
    "แสน": (1e5, "THB"),
    "ล้าน": (1e6, "THB"),
    "m": (1e6, None),
    "million": (1e6, None),
}


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_CUR = _alternation(list(_CURRENCY_WORDS))
_MULT = _alternation(list(_MULTIPLIERS))
# Starting with a digit lets the regex engine skip ahead to the next digit at C speed;
# a currency written before the number ("$500", "usd 500") is looked up behind it.
_NUMBER = r"\d(?:\d{0,2}(?:[,.\s]\d{3})+(?:[.,]\d+)?|\d*(?:[.,]\d+)?)"
_AMOUNT = re.compile(
    rf"(?P<num>{_NUMBER})\s?(?P<mult>{_MULT})?(?![a-z])\s?(?P<cur>{_CUR})?(?![a-z])"
)
_PREFIX = re.compile(r"(?:[$₩฿₫₱€£¥]|us\$|usdt|usd)\s?$")
_PREFIX_ENDS = frozenset("$₩฿₫₱€£¥dt")  # the last character of every prefix
_PERIODS: list[tuple[str, re.Pattern[str]]] = [
    (
        "hour",
        re.compile(
            r"/\s?(?:h|hr|hour|gio)\b|per hour|an hour|hourly|시급|시간당|"
            r"mot gio|/giờ|ชั่วโมงละ|ต่อชั่วโมง|ชม\.|/\s?(?:ชม|ชั่วโมง|시간)"
        ),
    ),
    (
        "day",
        re.compile(
            r"/\s?(?:d|day|ngay)\b|per day|a day|daily|일당|하루|"
            r"mot ngay|moi ngay|วันละ|ต่อวัน|รายวัน|/\s?(?:วัน|일)"
        ),
    ),
    (
        "week",
        re.compile(
            r"/\s?(?:w|wk|week|tuan)\b|per week|a week|weekly|주급|"
            r"mot tuan|moi tuan|สัปดาห์ละ|ต่อสัปดาห์|/\s?(?:สัปดาห์|주)"
        ),
    ),
    (
        "year",
        re.compile(
            r"/\s?(?:y|yr|year|nam)\b|per year|a year|per annum|annual|yearly|"
            r"연봉|mot nam|ต่อปี|ปีละ|/\s?(?:ปี|년)"
        ),
    ),
]
_ANY_PERIOD = re.compile("|".join(pattern.pattern for _, pattern in _PERIODS))
_MONTHLY_FACTOR = {"hour": 208.0, "day": 26.0, "week": 4.33, "year": 1 / 12, "month": 1.0}
_PERIOD_WINDOW = 14
_PERIOD_BEFORE = 6


_DIGIT_GROUP_MARKS = re.compile(r"[.,]")


def _parse_number(raw: str) -> float:
    if raw.isdigit():
        return float(raw)
    groups = _DIGIT_GROUP_MARKS.split(raw.replace(" ", ""))
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        return float("".join(groups))  # 1,500 / 1.500.000: thousands separators
    if len(groups) > 2 and all(len(g) == 3 for g in groups[1:-1]):
        return float(f"{''.join(groups[:-1])}.{groups[-1]}")  # 3,420.00: both kinds
    if len(groups) == 2:
        return float(f"{groups[0]}.{groups[1]}")  # 1.5 / 2,5: a decimal point
    return float("".join(groups))


# The lower end of a range ("1,500-2,000 บาท"): the period word sits before it.
_RANGE_START = re.compile(r"[\d.,]+\s?[-–~]\s?$")


def _period(text: str, start: int, end: int) -> str:
    """The pay period written right after the amount, else right before it ("일당 30만")."""
    lower = _RANGE_START.search(text, max(0, start - 16), start)
    if lower:
        start = lower.start()
    after = text[end : end + _PERIOD_WINDOW]
    before = text[max(0, start - _PERIOD_BEFORE) : start]
    for window in (after, before):
        if _ANY_PERIOD.search(window) is None:
            continue  # the common case: one search instead of one per period
        for name, pattern in _PERIODS:
            if pattern.search(window):
                return name
    return "month"


def glued(text: str, start: int, extra: str) -> bool:
    """Is the match at `start` stuck to the previous character (so not a match of its own)?

    Checked here rather than with a look-behind: a pattern that starts with a
    look-behind cannot use the regex engine's fast scan for its first character.
    """
    if start == 0:
        return False
    before = text[start - 1]
    return before.isalnum() or before in extra


_CALLING_CODES = {
    str(code): tuple(regions) for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()
}


def _calling_code_regions(digits: str) -> tuple[str, ...]:
    """Regions sharing the country calling code `digits` starts with ("+855..." -> KH)."""
    for size in (2, 3, 4):  # calling codes are prefix-free: at most one of these is one
        regions = _CALLING_CODES.get(digits[1:size])
        if regions:
            return regions
    return ()


def find_phones(text: str, regions: frozenset[str]) -> list[Hit]:
    """International numbers from `regions`, each with the ISO region of its country code.

    Numbers from elsewhere are skipped before the (costly) full parse: a Korean
    embassy hotline quoted in a news report says nothing about where a job is.
    """
    hits: list[Hit] = []
    if "+" not in text and "00" not in text and "wa.me" not in text:
        return hits
    candidates = [
        (m.start(), m.end(), m.group())
        for m in _PHONE.finditer(text)
        if not glued(text, m.start(), "_+")  # part of a longer number or word
    ]
    candidates += [(m.start(), m.end(), "+" + m.group(1)) for m in _WA_LINK.finditer(text)]
    for start, end, raw in candidates:
        digits = "+" + re.sub(r"\D", "", raw.removeprefix("00"))
        if regions.isdisjoint(_calling_code_regions(digits)):
            continue
        try:
            number = phonenumbers.parse(digits, None)
        except phonenumbers.NumberParseException:
            continue
        region = phonenumbers.region_code_for_number(number)
        if region and phonenumbers.is_possible_number(number):
            hits.append(Hit(start, end, region))
    return hits


def find_handles(text: str) -> list[Hit]:
    hits = []
    for m in _HANDLE.finditer(text):
        if glued(text, m.start(), "_.@/"):
            continue  # inside a word, an address or a URL path
        if _EMAIL_TAIL.match(text, m.end()):
            continue  # user@mail.com-like, an e-mail, not a messenger handle
        hits.append(Hit(m.start(), m.end(), m.group(1)))
    return hits


def find_amounts(text: str) -> list[Amount]:
    """Sums of money with a currency, written or implied, converted to a monthly figure."""
    found: list[Amount] = []
    for m in _AMOUNT.finditer(text):
        num, mult, cur = m.groups()
        start = m.start()
        pre = None
        if start and _PREFIX_ENDS.intersection(text[max(0, start - 2) : start]):
            prefix = _PREFIX.search(text, max(0, start - 5), start)
            if prefix is not None:
                pre, start = prefix.group().rstrip(), prefix.start()
        if not (pre or mult or cur):
            continue
        currency = _CURRENCY_WORDS.get(pre or "") or _CURRENCY_WORDS.get(cur or "")
        factor = 1.0
        if mult:
            factor, implied = _MULTIPLIERS[mult]
            currency = currency or implied
        if currency is None:
            continue
        value = _parse_number(num) * factor
        period = _period(text, start, m.end())
        found.append(Amount(start, m.end(), currency, value * _MONTHLY_FACTOR[period]))
    return found


class Extracted(NamedTuple):
    """The structured evidence of one message, found once and read by several rules."""

    phones: list[Hit]
    handles: list[Hit]
    amounts: list[Amount]

    @classmethod
    def of(cls, text: str, phone_regions: frozenset[str]) -> Extracted:
        return cls(find_phones(text, phone_regions), find_handles(text), find_amounts(text))
