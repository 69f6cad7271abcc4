"""OCR of screenshots: Tesseract itself, and the bot's photo flow end to end.

Images are rendered here with Pillow using fonts Debian provides (fonts-dejavu-core for
Latin and Vietnamese, fonts-nanum for Hangul, fonts-tlwg-loma-ttf for Thai). A case whose
font or Tesseract language data is missing is skipped with the reason.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from support.bot_harness import Person, running_bot

from bot.ocr import Ocr, OcrRejected, OcrUnavailable

FONTS = {
    "en": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    "vi": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    "ko": Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
    "th": Path("/usr/share/fonts/truetype/tlwg/Loma.ttf"),
}
FONT_PACKAGES = {"en": "fonts-dejavu-core", "vi": "fonts-dejavu-core", "ko": "fonts-nanum",
                 "th": "fonts-tlwg-loma-ttf"}
TESS = {"en": "eng", "vi": "vie", "ko": "kor", "th": "tha"}
TEXTS = {
    "en": "High salary, no experience needed. Free flight to Cambodia.",
    "vi": "Lương cao, không cần kinh nghiệm, bay miễn phí",
    "ko": "고수익 보장 경력 무관 캄보디아 항공권 무료",
    "th": "รับสมัครด่วน เงินเดือนสูง ไม่ต้องมีประสบการณ์",
}

OCR = Ocr()


def render(text: str, lang: str) -> bytes:
    font_path = FONTS[lang]
    if not font_path.exists():
        pytest.skip(f"no {lang} font: install Debian package {FONT_PACKAGES[lang]}")
    image = Image.new("RGB", (1100, 160), "white")
    ImageDraw.Draw(image).text((20, 50), text, fill="black",
                               font=ImageFont.truetype(str(font_path), 36))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def need(lang: str) -> None:
    if not OCR.available:
        pytest.skip("tesseract-ocr is not installed")
    if TESS[lang] not in OCR.langs:
        pytest.skip(f"Tesseract data missing: install tesseract-ocr-{TESS[lang]}")


@pytest.mark.parametrize("lang", ["en", "vi", "ko", "th"])
def test_tesseract_reads_each_language(lang: str) -> None:
    need(lang)
    text = OCR.read_sync(render(TEXTS[lang], lang)).text
    assert text.replace(" ", "") == TEXTS[lang].replace(" ", "")


def test_images_that_are_not_images_or_too_big_are_refused() -> None:
    need("en")
    with pytest.raises(OcrRejected):
        OCR.read_sync(b"definitely not a png")
    huge = io.BytesIO()
    Image.new("L", (5000, 5000), "white").save(huge, "PNG")
    with pytest.raises(OcrRejected):
        OCR.read_sync(huge.getvalue())


def test_without_tesseract_reading_says_unavailable() -> None:
    missing = Ocr(langs=())
    assert not missing.available
    with pytest.raises(OcrUnavailable):
        missing.read_sync(b"x")


async def test_screenshot_is_read_and_checked_with_its_caption(tmp_path: Path) -> None:
    need("en")
    data = render(TEXTS["en"], "en")
    ocr_text = OCR.read_sync(data).text
    async with running_bot(tmp_path) as h:
        message = h.updates.photo(Person(4001, "en"), data, caption="Is this real?")
        (reply,) = await h.answered(message)
        assert reply.text == h.expected_reply(f"{ocr_text}\nIs this real?", "en").parts[0]
    assert h.counts()[("kind", "photo")] == 1


async def test_image_document_is_read_like_a_photo(tmp_path: Path) -> None:
    need("vi")
    data = render(TEXTS["vi"], "vi")
    ocr_text = OCR.read_sync(data).text
    async with running_bot(tmp_path) as h:
        message = h.updates.document(Person(4002, "vi"), data, "image/png", "offer.png")
        (reply,) = await h.answered(message)
        assert reply.text == h.expected_reply(ocr_text, "vi").parts[0]


async def test_blank_picture_asks_for_the_text(tmp_path: Path) -> None:
    need("en")
    blank = io.BytesIO()
    Image.new("RGB", (600, 400), "white").save(blank, "PNG")
    async with running_bot(tmp_path) as h:
        message = h.updates.photo(Person(4003, "th"), blank.getvalue())
        (reply,) = await h.answered(message)
        assert reply.text == h.expected_message("ocr_empty", "th").parts[0]


async def test_without_ocr_the_bot_says_so_and_still_checks_the_caption(
    tmp_path: Path,
) -> None:
    caption = "Free flight to Cambodia, salary 3000 USD"
    async with running_bot(tmp_path, ocr=Ocr(langs=())) as h:
        person = Person(4004, "ko")
        with_caption = h.updates.photo(person, b"\x89PNG fake", caption=caption)
        bare = h.updates.photo(person, b"\x89PNG fake")
        await h.api.wait_until(lambda: len(h.api.replies_to(with_caption["message_id"])) == 2)
        await h.answered(bare)
        await h.drain()
        notice, verdict = h.api.replies_to(with_caption["message_id"])
        assert notice.text == h.expected_message("ocr_unavailable", "ko").parts[0]
        assert verdict.text == h.expected_reply(caption, "ko").parts[0]
        (only,) = h.api.replies_to(bare["message_id"])
        assert only.text == h.expected_message("ocr_unavailable", "ko").parts[0]
        assert h.api.calls_of("getFile") == []
