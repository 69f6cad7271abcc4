"""Which of the four languages a text is written in, judged by its script alone.

Script is a cheap, robust signal for our four languages: Hangul is Korean, Thai script
is Thai, and Vietnamese is the only one of them that uses Latin letters with stacked
diacritics (ư, ơ, ă, đ and the tone marks). Everything else falls back to English.
"""

from __future__ import annotations

import re

from bot.core.model import LANGUAGES

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
# Letters that only Vietnamese uses among our languages (precomposed forms).
_VIETNAMESE = re.compile(
    r"[ăâđêôơưĂÂĐÊÔƠƯ"
    r"ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    r"ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ]"
)


_SCRIPTS = (("ko", _HANGUL), ("th", _THAI), ("vi", _VIETNAMESE))


def detect_script_language(text: str) -> str | None:
    """Return ko, th or vi when the script says so clearly, else None."""
    if text.isascii():
        return None
    present = [(lang, rx) for lang, rx in _SCRIPTS if rx.search(text)]
    if len(present) <= 1:  # the common case: one script, no counting needed
        return present[0][0] if present else None
    counts = {lang: len(rx.findall(text)) for lang, rx in present}
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
