"""Read the text out of a screenshot with Tesseract (kor+tha+vie+eng).

Why this shape:
- Tesseract is an external program that may be missing (a developer laptop, a slim
  image); the bot must then say so politely and still check the caption, so
  availability is a value (:attr:`Ocr.available`), not an import error.
- OCR is slow and CPU-bound, so it runs in a worker thread with a hard timeout (which
  pytesseract enforces by killing the process) and at most ``max_parallel`` at once,
  keeping the event loop free for text checks.
- Screenshots come from strangers: the decoded image is capped in bytes and in pixels
  before Tesseract sees it (Pillow's decompression-bomb guard would otherwise only warn).
"""

from __future__ import annotations

import asyncio
import io
import logging
import shutil
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

WANTED_LANGS: tuple[str, ...] = ("kor", "tha", "vie", "eng")
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 12_000_000
# Tesseract reads small UI text poorly; upscale narrow phone screenshots to this width.
MIN_WIDTH = 1000
# Fewer characters than this from automatic segmentation means "try another layout".
MIN_USEFUL_CHARS = 4


class OcrUnavailable(Exception):
    """Tesseract (or its English data) is not installed, or it failed to run."""


class OcrRejected(Exception):
    """The file is not an image we are willing to read (too big, not an image)."""


@dataclass(frozen=True, slots=True)
class OcrText:
    text: str
    langs: tuple[str, ...]


def _detect_langs() -> tuple[str, ...]:
    """Which of our languages the installed Tesseract has data for (empty if none)."""
    if shutil.which("tesseract") is None:
        return ()
    try:
        import pytesseract

        installed = set(pytesseract.get_languages(config=""))
    except Exception as exc:  # pytesseract raises several unrelated types here
        log.warning("tesseract present but unusable: %s", type(exc).__name__)
        return ()
    langs = tuple(lang for lang in WANTED_LANGS if lang in installed)
    return langs if "eng" in langs else ()


def _prepare(data: bytes) -> Image.Image:
    if len(data) > MAX_BYTES:
        raise OcrRejected("file too large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise OcrRejected("image too large")
            image = probe.convert("L")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise OcrRejected(type(exc).__name__) from exc
    image = ImageOps.autocontrast(image)
    if image.width < MIN_WIDTH:
        scale = MIN_WIDTH / image.width
        new_size = (MIN_WIDTH, round(image.height * scale))
        if new_size[0] * new_size[1] <= MAX_PIXELS:
            image = image.resize(new_size, Image.Resampling.LANCZOS)
    return image


class Ocr:
    """Tesseract behind an async, bounded, time-limited call."""

    def __init__(self, timeout: float = 20.0, max_parallel: int = 1,
                 langs: tuple[str, ...] | None = None) -> None:
        self.timeout = timeout
        self.langs = _detect_langs() if langs is None else langs
        self._slots = asyncio.Semaphore(max_parallel)

    @property
    def available(self) -> bool:
        return bool(self.langs)

    def read_sync(self, data: bytes) -> OcrText:
        """Blocking OCR of one image; raises OcrUnavailable or OcrRejected."""
        if not self.available:
            raise OcrUnavailable("tesseract not installed")
        import pytesseract

        image = _prepare(data)
        lang = "+".join(self.langs)
        text = ""
        # Automatic page segmentation suits chat screenshots, but it finds nothing in a
        # lone line of Hangul; "one uniform block" is the fallback that reads it.
        for psm in (3, 6):
            try:
                text = _tidy(pytesseract.image_to_string(
                    image, lang=lang, config=f"--psm {psm}", timeout=self.timeout))
            except RuntimeError as exc:  # pytesseract's timeout
                raise OcrUnavailable("tesseract timed out") from exc
            except pytesseract.TesseractError as exc:
                raise OcrUnavailable(f"tesseract failed ({exc.status})") from exc
            if len(text) >= MIN_USEFUL_CHARS:
                break
        return OcrText(text=text, langs=self.langs)

    async def read(self, data: bytes) -> OcrText:
        """OCR in a worker thread, at most ``max_parallel`` at a time."""
        async with self._slots:
            try:
                return await asyncio.wait_for(
                    asyncio.to_thread(self.read_sync, data), timeout=self.timeout + 5
                )
            except TimeoutError as exc:
                raise OcrUnavailable("tesseract timed out") from exc


def _tidy(text: str) -> str:
    """Drop the blank lines and form feeds Tesseract sprinkles between blocks."""
    lines = [line.strip() for line in text.replace("\f", "\n").splitlines()]
    return "\n".join(line for line in lines if line)
