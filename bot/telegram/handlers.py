"""Telegram update handlers: turn messages into checks and checks into replies.

Ground rules every handler keeps:
- Message text, captions, OCR output and user ids stay in memory for the duration of a
  check (plus the short-lived result cache behind the language buttons). They are never
  logged and never stored; what is stored is the anonymous :class:`CheckEvent`.
- Every reply quotes (replies to) the message it is about, so a person who forwarded
  several offers knows which answer belongs to which.
- A check is answered exactly once. Sending is retried only where that cannot duplicate
  (see ``transport.py``); handlers themselves never resend.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import logging
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ContextTypes
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.core import reply as replies
from bot.core.knowledge import KnowledgeHolder
from bot.core.language import choose_language
from bot.core.model import Result, Risk
from bot.ocr import Ocr, OcrRejected, OcrUnavailable
from bot.stats.events import CheckEvent, is_referral
from bot.stats.store import Store
from bot.telegram.batching import Batcher
from bot.telegram.extract import KIND_FORWARD, KIND_GROUP, KIND_PHOTO, input_kind, message_text
from bot.telegram.groups import GuardBook
from bot.telegram.memory import SlidingWindow, TtlCache

log = logging.getLogger(__name__)

SERVICES_KEY = "lurecheck"
LANG_PAYLOAD = re.compile(r"lang[_-](ko|en|th|vi)")
# Photos larger than this are not downloaded (Telegram's own photo sizes stay far below).
MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_MIME_PREFIX = "image/"
# Room left for the <pre> wrapper and escaping inside Telegram's 4,096-character limit.
MAX_PLAIN_CHARS = 3500
# How every message is sent: the application's Defaults, and send_reply's raw calls.
PARSE_MODE = ParseMode.HTML
NO_LINK_PREVIEW = LinkPreviewOptions(is_disabled=True)
_REPLY_FORMAT = {"parse_mode": PARSE_MODE, "link_preview_options": NO_LINK_PREVIEW}
# send_reply (and the router in shards.py, for getUpdates) call the Bot API through
# do_api_request on purpose: the raw answer is all they need (see there).
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.(sendMessage|getUpdates)'",
                        category=PTBUserWarning)


@dataclass(frozen=True)
class Tuning:
    """Operational knobs. Defaults suit production; tests and the bench shrink them."""

    batch_window: float = 1.5
    batch_max_wait: float = 6.0
    batch_max_items: int = 20
    checks_per_minute: int = 20
    group_replies_per_minute: int = 20
    result_ttl: float = 6 * 3600
    result_cache_size: int = 20_000
    prefs_ttl: float = 600.0
    concurrent_updates: int = 32
    # Keep-alive HTTP connections to the Bot API; it answers in milliseconds, so a few
    # carry hundreds of sends a second (bench/bot.py).
    connection_pool_size: int = 8
    send_attempts: int = 4
    send_backoff: float = 0.5
    read_timeout: float = 10.0
    rate_limit_retries: int = 3
    # Telegram's broadcast cap (~30 messages/s overall); 0 disables the overall limiter.
    overall_max_rate: float = 30.0
    ocr_timeout: float = 20.0
    ocr_parallel: int = 1


@dataclass(frozen=True)
class Piece:
    """One message of a (possibly batched) check. In memory only."""

    message_id: int
    text: str
    kind: str
    user_id: int
    language_code: str | None


@dataclass
class Shown:
    """A reply on screen that buttons may re-render. In memory only, with a TTL.

    ``result`` is the checked verdict, or None for the "already abroad" help card.
    """

    result: Result | None
    message_ids: list[int]
    anchor: int | None


@dataclass
class Prefs:
    language: str | None
    referral: str | None
    day: date


@dataclass
class Services:
    """Everything the handlers share, built once per Application."""

    settings: Settings
    tuning: Tuning
    holder: KnowledgeHolder
    ocr: Ocr
    store: Store | None = None
    guard: GuardBook | None = None
    bot_username: str = ""
    results: TtlCache[tuple[int, int], Shown] = field(init=False)
    prefs: TtlCache[int, Prefs] = field(init=False)
    flood: SlidingWindow[int] = field(init=False)
    flood_notices: SlidingWindow[int] = field(init=False)
    group_budget: SlidingWindow[int] = field(init=False)
    batcher: Batcher[int, Piece] | None = None
    heartbeat: asyncio.Task[None] | None = None
    # Set in a worker process (shards.py): the router fetches updates and owns the rest.
    worker: bool = False
    # A worker's /reload tells the router, which reloads the other workers.
    reloaded_by_admin: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        t = self.tuning
        self.results = TtlCache(t.result_ttl, t.result_cache_size)
        self.prefs = TtlCache(t.prefs_ttl, 100_000)
        self.flood = SlidingWindow(t.checks_per_minute, 60.0)
        self.flood_notices = SlidingWindow(1, 60.0)
        self.group_budget = SlidingWindow(t.group_replies_per_minute, 60.0)

    @property
    def kb(self) -> Any:
        return self.holder.current

    def require_store(self) -> Store:
        if self.store is None:
            raise RuntimeError("stats store is not open")
        return self.store


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    svc = context.bot_data[SERVICES_KEY]
    assert isinstance(svc, Services)
    return svc


def _today() -> date:
    return datetime.now(UTC).date()


# ------------------------------------------------------------------------ sending
def keyboard(reply: replies.Reply) -> InlineKeyboardMarkup | None:
    return _markup(reply.buttons)


@functools.lru_cache(maxsize=512)
def _markup(
    buttons: tuple[tuple[replies.Button, ...], ...],
) -> InlineKeyboardMarkup | None:
    """Telegram keyboards are immutable, and replies reuse a few dozen layouts: build once."""
    rows = [
        [InlineKeyboardButton(button.label, callback_data=button.data) for button in row]
        for row in buttons
    ]
    return InlineKeyboardMarkup(rows) if rows else None


async def send_reply(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: replies.Reply,
    reply_to: int | None,
) -> list[int]:
    """Send every part; the first quotes ``reply_to``, the last carries the buttons.

    Through ``Bot.do_api_request`` rather than ``send_message``: PTB would turn every
    answer into a Message object, with the quoted message nested inside, when only its
    id is needed; at a few hundred checks a second that was ~12% of the bot's CPU.
    """
    sent: list[int] = []
    markup = keyboard(reply)
    last = len(reply.parts) - 1
    for index, part in enumerate(reply.parts):
        params: dict[str, Any] = {"chat_id": chat_id, "text": part, **_REPLY_FORMAT}
        if index == 0 and reply_to is not None:
            params["reply_parameters"] = ReplyParameters(reply_to,
                                                         allow_sending_without_reply=True)
        if index == last and markup is not None:
            params["reply_markup"] = markup
        answer = await context.bot.do_api_request("sendMessage", api_kwargs=params)
        sent.append(answer["message_id"])
    return sent


async def say(context: ContextTypes.DEFAULT_TYPE, chat_id: int, key: str, lang: str,
              reply_to: int | None = None, **values: Any) -> list[int]:
    """Send one of the fixed, localized messages."""
    svc = services(context)
    return await send_reply(context, chat_id,
                            replies.compose_message(key, lang, svc.kb, **values), reply_to)


# ------------------------------------------------------------------------ people
async def prefs_for(svc: Services, user_id: int) -> Prefs:
    """Chosen language and referral attribution, noting today's contact once a day."""
    today = _today()
    cached = svc.prefs.get(user_id)
    if cached is not None and cached.day == today:
        return cached
    store = svc.require_store()
    referral = await store.note_contact(user_id, None, today)
    language = await store.get_language(user_id)
    fresh = Prefs(language, referral, today)
    svc.prefs.put(user_id, fresh)
    return fresh


def pick_language(prefs: Prefs | None, language_code: str | None, text: str) -> str:
    return choose_language(prefs.language if prefs else None, language_code, text)


def record(svc: Services, result: Result, lang: str, kind: str, referral: str | None) -> None:
    """Queue the anonymous count of a finished check; counting never breaks a reply."""
    log.debug("checked %s: risk=%s signs=%d lang=%s", kind, result.risk.value,
              len(result.findings), lang)
    try:
        svc.require_store().record(CheckEvent(
            day=_today(), language=lang, kind=kind, risk=result.risk.value,
            rules=result.rule_ids, destinations=result.destinations, referral=referral,
        ))
    except (ValueError, TypeError, RuntimeError) as exc:
        log.warning("count not recorded: %s", type(exc).__name__)


# ------------------------------------------------------------------------ checks
async def check_pieces(context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                       pieces: list[Piece]) -> None:
    """Check one offer (one message or a batch) and answer it once."""
    svc = services(context)
    pieces = sorted(pieces, key=lambda p: p.message_id)
    first = pieces[0]
    text = "\n\n".join(p.text for p in pieces if p.text.strip())
    prefs = await prefs_for(svc, first.user_id)
    lang = pick_language(prefs, first.language_code, text)
    if not text.strip():
        await say(context, chat_id, "empty_text", lang, first.message_id)
        return
    if not svc.flood.hit(first.user_id):
        if svc.flood_notices.hit(first.user_id):
            await say(context, chat_id, "flood_limited", lang, first.message_id)
        return
    result = svc.kb.engine.analyse(text)
    kinds = {p.kind for p in pieces}
    kind = KIND_PHOTO if KIND_PHOTO in kinds else KIND_FORWARD if KIND_FORWARD in kinds \
        else first.kind
    await answer_result(context, chat_id, result, lang, first.message_id)
    record(svc, result, lang, kind, prefs.referral)


async def answer_result(context: ContextTypes.DEFAULT_TYPE, chat_id: int, result: Result,
                        lang: str, anchor: int | None) -> None:
    svc = services(context)
    reply = replies.compose_reply(result, lang, svc.kb)
    sent = await send_reply(context, chat_id, reply, anchor)
    if sent:
        svc.results.put((chat_id, sent[-1]), Shown(result, sent, anchor))


async def deliver_batch(context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                        pieces: list[Piece]) -> None:
    """Batcher callback. Errors are reported like handler errors (type only)."""
    try:
        await check_pieces(context, chat_id, pieces)
    except Exception as exc:
        log.error("batched check failed: %s", type(exc).__name__)


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    piece = Piece(message.message_id, message_text(message), input_kind(message), user.id,
                  user.language_code)
    chat_id = message.chat_id
    batcher = svc.batcher
    if batcher is not None and (piece.kind == KIND_FORWARD or batcher.pending_for(chat_id)):
        batcher.add(chat_id, piece)
        return
    await check_pieces(context, chat_id, [piece])


async def on_private_image(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Screenshots: OCR the picture, then check its text together with the caption."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    caption = message_text(message)
    file_id, size = _image_file(message)
    prefs = await prefs_for(svc, user.id)
    lang = pick_language(prefs, user.language_code, caption)
    if file_id is None:
        await say(context, message.chat_id, "unsupported_media", lang, message.message_id)
        return
    ocr_text = ""
    notice: str | None = None  # ocr_unavailable (cannot read now) or ocr_empty (no text)
    if not svc.ocr.available or (size or 0) > MAX_IMAGE_BYTES:
        notice = "ocr_unavailable"
    else:
        if not svc.flood.hit(user.id):
            if svc.flood_notices.hit(user.id):
                await say(context, message.chat_id, "flood_limited", lang, message.message_id)
            return
        try:
            tg_file = await context.bot.get_file(file_id)
            data = bytes(await tg_file.download_as_bytearray())
            ocr_text = (await svc.ocr.read(data)).text
        except OcrUnavailable as exc:
            log.warning("ocr: %s", exc)  # fixed strings only: no image content
            notice = "ocr_unavailable"
        except OcrRejected:
            notice = "ocr_empty"
    if notice == "ocr_unavailable":
        # Say it before the verdict on the caption, so the verdict is read as partial.
        await say(context, message.chat_id, notice, lang, message.message_id)
    text = "\n".join(part for part in (ocr_text, caption) if part.strip())
    if not text.strip():
        if notice != "ocr_unavailable":
            await say(context, message.chat_id, "ocr_empty", lang, message.message_id)
        return
    lang = pick_language(prefs, user.language_code, text)
    result = svc.kb.engine.analyse(text)
    await answer_result(context, message.chat_id, result, lang, message.message_id)
    record(svc, result, lang, KIND_PHOTO, prefs.referral)


def _image_file(message: Message) -> tuple[str | None, int | None]:
    if message.photo:
        # The largest size Telegram made; OCR needs the detail.
        best = max(message.photo, key=lambda p: p.width * p.height)
        return best.file_id, best.file_size
    document = message.document
    if document is not None and (document.mime_type or "").startswith(IMAGE_MIME_PREFIX):
        return document.file_id, document.file_size
    return None, None


async def on_private_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, voice, video, locations…: say politely what we can check."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    prefs = await prefs_for(services(context), user.id)
    lang = pick_language(prefs, user.language_code, "")
    # A text message whose text is empty lands here too (filters.TEXT needs content).
    key = "empty_text" if message.text is not None else "unsupported_media"
    await say(context, message.chat_id, key, lang, message.message_id)


# ------------------------------------------------------------------------ commands
async def _lang_for(context: ContextTypes.DEFAULT_TYPE, update: Update, text: str = "") -> str:
    """Reply language for commands. Read-only: asking for /help or /privacy (or /forget)
    must not itself create a settings row about the person."""
    user = update.effective_user
    if user is None:
        return "en"
    svc = services(context)
    cached = svc.prefs.get(user.id)
    chosen = cached.language if cached else await svc.require_store().get_language(user.id)
    return choose_language(chosen, user.language_code, text)


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    store = svc.require_store()
    payload = context.args[0] if context.args else None
    referral = payload if payload is not None and is_referral(payload) else None
    await store.note_contact(user.id, referral, _today())
    if referral is not None and (wanted := LANG_PAYLOAD.fullmatch(referral)):
        await store.set_language(user.id, wanted.group(1))
    svc.prefs.pop(user.id)
    await say(context, message.chat_id, "start", await _lang_for(context, update))


def _simple(key: str) -> Any:
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None:
            await say(context, message.chat_id, key, await _lang_for(context, update))

    handler.__name__ = f"cmd_{key}"
    handler.__doc__ = f"Reply with the fixed '{key}' text in the person's language."
    return handler


cmd_help = _simple("help")
cmd_privacy = _simple("privacy")
cmd_about = _simple("about")
cmd_language = _simple("language_prompt")


async def cmd_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    lang = await _lang_for(context, update)  # before forgetting: answer in their language
    existed = await svc.require_store().forget(user.id)
    svc.prefs.pop(user.id)
    svc.results.drop_where(lambda key: key[0] == message.chat_id)
    await say(context, message.chat_id, "forget_done" if existed else "forget_nothing", lang)


async def cmd_check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/check as a reply to a message (groups and private), or /check <text>."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    target = message.reply_to_message
    text = message_text(target) if target is not None else " ".join(context.args or [])
    anchor = target.message_id if target is not None else message.message_id
    in_group = message.chat.type != ChatType.PRIVATE
    lang = choose_language(None, user.language_code, text) if in_group \
        else await _lang_for(context, update, text)
    if not text.strip():
        await say(context, message.chat_id, "empty_text", lang, message.message_id)
        return
    if not svc.flood.hit(user.id):
        if svc.flood_notices.hit(user.id):
            await say(context, message.chat_id, "flood_limited", lang, message.message_id)
        return
    result = svc.kb.engine.analyse(text)
    await answer_result(context, message.chat_id, result, lang, anchor)
    referral = None if in_group else (await prefs_for(svc, user.id)).referral
    record(svc, result, lang, KIND_GROUP if in_group else input_kind(message), referral)


async def _is_group_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return False
    if message.sender_chat is not None and message.sender_chat.id == message.chat_id:
        return True  # an anonymous admin posting as the group
    member = await context.bot.get_chat_member(message.chat_id, user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def cmd_guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    lang = choose_language(None, user.language_code, "")
    if message.chat.type == ChatType.PRIVATE:
        await say(context, message.chat_id, "help", await _lang_for(context, update))
        return
    if not await _is_group_admin(update, context):
        await say(context, message.chat_id, "not_admin", lang, message.message_id)
        return
    wanted = (context.args[0].lower() if context.args else "")
    guard = svc.guard
    if guard is None:
        return
    if wanted in ("on", "off"):
        guard.set(message.chat_id, wanted == "on")
    key = "guard_on" if guard.is_on(message.chat_id) else "guard_off"
    await say(context, message.chat_id, key, lang, message.message_id)


async def on_group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Guard mode: read group messages, answer only medium/high risk, briefly."""
    message = update.effective_message
    user = update.effective_user
    svc = services(context)
    if message is None or svc.guard is None or not svc.guard.is_on(message.chat_id):
        return
    text = message_text(message)
    if not text.strip():
        return
    result = svc.kb.engine.analyse(text)
    if not result.risk.at_least(Risk.MEDIUM):
        return
    if not svc.group_budget.hit(message.chat_id):
        log.info("group warning skipped: group reply budget used up")
        return
    lang = choose_language(None, user.language_code if user else None, text)
    link = f"https://t.me/{svc.bot_username}?start=guard"
    await say(context, message.chat_id, "group_guard_warning", lang, message.message_id,
              link=link)
    record(svc, result, lang, KIND_GROUP, None)


def _is_admin(context: ContextTypes.DEFAULT_TYPE, update: Update) -> bool:
    user = update.effective_user
    return user is not None and user.id in services(context).settings.admin_ids


async def _admin_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[int, str] | None:
    """(chat id, language) for an admin's command; tells anyone else it is admin-only."""
    message = update.effective_message
    if message is None:
        return None
    lang = await _lang_for(context, update)
    if not _is_admin(context, update):
        await say(context, message.chat_id, "not_admin", lang)
        return None
    return message.chat_id, lang


async def _send_preformatted(context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str) -> None:
    """Admin-only plain text (issue lists, tables) kept aligned and escaped for HTML mode."""
    await context.bot.send_message(chat_id, f"<pre>{html.escape(text[:MAX_PLAIN_CHARS])}</pre>")


async def cmd_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    admin = await _admin_chat(update, context)
    if admin is None:
        return
    chat_id, lang = admin
    svc = services(context)
    issues = await reload_packs(svc)
    if issues:
        await say(context, chat_id, "reload_failed", lang)
        # Admins only: file:line:col codes, no user data; enough to find the typo.
        await _send_preformatted(context, chat_id, "\n".join(str(i) for i in issues[:10]))
    else:
        if svc.reloaded_by_admin is not None:
            svc.reloaded_by_admin()
        await say(context, chat_id, "reload_ok", lang)


async def reload_packs(svc: Services) -> list[Any]:
    """Swap in freshly loaded packs (off the event loop); the old ones serve on failure."""
    issues = await asyncio.to_thread(svc.holder.reload)
    if issues:
        log.warning("reload refused: %d issue(s); previous packs still serving", len(issues))
    else:
        log.info("rule packs reloaded")
    return list(issues)


async def cmd_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    admin = await _admin_chat(update, context)
    if admin is None:
        return
    from bot.stats.report import admin_summary

    store = services(context).require_store()
    await store.flush()
    # Plain text with "<k" cells, already suppressed for small counts.
    await _send_preformatted(context, admin[0], await admin_summary(store, _today()))


# ------------------------------------------------------------------------ buttons
async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Language and "already abroad" buttons.

    A language button under a checked reply re-renders that reply in place while the
    result is still in memory; anywhere else (the /language prompt, an old reply from
    before a restart) it still sets the preference and says so. Malformed or unknown
    data gets a polite "expired" toast.
    """
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    svc = services(context)
    action = replies.parse_callback(query.data or "")
    message = query.message if isinstance(query.message, Message) else None
    if action is None or message is None:
        await _stale(context, query.id, await _lang_for(context, update))
        return
    chat_id = message.chat_id
    shown = svc.results.get((chat_id, message.message_id))
    if isinstance(action, replies.SetLanguage):
        await svc.require_store().set_language(user.id, action.lang)
        svc.prefs.pop(user.id)
        await query.answer()
        if shown is not None and shown.result is not None:
            reply = replies.compose_reply(shown.result, action.lang, svc.kb)
            await show(context, chat_id, reply, shown)
        else:
            await say(context, chat_id, "language_set", action.lang)
        return
    if isinstance(action, replies.AbroadHelp):
        await query.answer()
        reply = replies.compose_abroad_help(action.lang, action.destinations, svc.kb)
        if shown is not None and shown.result is None:
            await show(context, chat_id, reply, shown)  # switching within the help card
        else:
            sent = await send_reply(context, chat_id, reply, None)
            svc.results.put((chat_id, sent[-1]), Shown(None, sent, None))
        return
    await _stale(context, query.id, await _lang_for(context, update))


async def _stale(context: ContextTypes.DEFAULT_TYPE, query_id: str, lang: str) -> None:
    reply = replies.compose_message("stale_button", lang, services(context).kb)
    text = re.sub(r"<[^>]+>", "", reply.parts[0])[:200] if reply.parts else None
    await context.bot.answer_callback_query(query_id, text=text, show_alert=False)


async def show(context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: replies.Reply,
               shown: Shown) -> None:
    """Replace a shown reply by ``reply``: edit in place when the part count matches."""
    svc = services(context)
    if len(reply.parts) != len(shown.message_ids):
        sent = await send_reply(context, chat_id, reply, shown.anchor)
        svc.results.put((chat_id, sent[-1]), Shown(shown.result, sent, shown.anchor))
        return
    markup = keyboard(reply)
    last = len(reply.parts) - 1
    for index, (message_id, part) in enumerate(zip(shown.message_ids, reply.parts,
                                                   strict=True)):
        with contextlib.suppress(BadRequest):  # "message is not modified"
            await context.bot.edit_message_text(
                part, chat_id, message_id, reply_markup=markup if index == last else None)


# ------------------------------------------------------------------------ errors
async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error type, update id and where it happened: never the update itself."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    where = ""
    tb = error.__traceback__ if error is not None else None
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        where = f" at {tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"
    log.error("update %s failed: %s%s", update_id, type(error).__name__, where)
    if isinstance(error, NetworkError) or not isinstance(update, Update):
        return
    message = update.effective_message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return
    with contextlib.suppress(TelegramError, RuntimeError):
        user = update.effective_user
        lang = choose_language(None, user.language_code if user else None, "")
        await say(context, message.chat_id, "error_try_later", lang, message.message_id)
