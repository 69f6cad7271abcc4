"""Which of the four languages a text is written in, judged by its script alone.

Script is a cheap, robust signal for our four languages: Hangul is Korean, Thai script
is Thai, and Vietnamese is the only one of them that uses Latin letters with stacked
diacritics (ư, ơ, ă, đ and the tone marks). Everything else falls back to English.
"""

from __future__ import annotations

import re

from bot.core.model import LANGUAGES

_HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
_THAI = "\u0e00-\u0e7f"
# Letters that only Vietnamese uses among our languages (precomposed forms).
_VIETNAMESE = (
    "ăâđêôơưĂÂĐÊÔƠƯ"
    "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    "ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ"
)
_CLASSES = {"ko": _HANGUL, "th": _THAI, "vi": _VIETNAMESE}
_SCRIPTS = {lang: re.compile(f"[{chars}]") for lang, chars in _CLASSES.items()}
_ANY_SCRIPT = re.compile(f"[{''.join(_CLASSES.values())}]")
# For each language, the letters of the other two: is the text written in one script only?
_OTHER_SCRIPTS = {
    lang: re.compile(f"[{''.join(c for other, c in _CLASSES.items() if other != lang)}]")
    for lang in _CLASSES
}


def detect_script_language(text: str) -> str | None:
    """Return ko, th or vi when the script says so clearly, else None."""
    if text.isascii():
        return None
    first = _ANY_SCRIPT.search(text)
    if first is None:
        return None
    lang = next(lang for lang, rx in _SCRIPTS.items() if rx.match(first.group()))
    if _OTHER_SCRIPTS[lang].search(text, first.end()) is None:
        return lang  # the common case: one script, no counting needed
    counts = {lang: len(rx.findall(text)) for lang, rx in _SCRIPTS.items()}
    return max(counts, key=lambda lang: counts[lang])


def choose_language(explicit: str | None, telegram_code: str | None, text: str | None) -> str:
    """The reply language: the user's own choice, else Telegram's, else the text's script.

    `telegram_code` is an IETF tag such as "ko", "th-TH" or "pt-br"; only its primary
    subtag counts. English is the last resort because it is the lingua franca of the
    recruiters' own ads in the region.
    """
    if explicit is not None and explicit in LANGUAGES:
        return explicit
    if telegram_code:
        primary = telegram_code.replace("_", "-").split("-", 1)[0].strip().lower()
        if primary in LANGUAGES:
            return primary
    return (detect_script_language(text) if text else None) or "en"
