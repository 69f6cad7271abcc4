"""Wiring: build the python-telegram-bot Application and run it (polling or webhook).

Order of handlers matters (first match wins within a group): commands first, then
screenshots, then text, then a polite catch-all for media we cannot read. Only
``filters.UpdateType.MESSAGE`` is handled, so edits and channel posts are not checked
twice.

Lifecycle: ``post_init`` opens the counts store, learns the bot's username, registers
the localized command menus and installs SIGHUP (reload packs); ``post_shutdown`` flushes
and closes the store, so SIGINT/SIGTERM (handled by PTB's run_* methods) lose no count.
Pending forward batches are PTB tasks, which ``Application.stop`` waits for, so they
are answered before the store closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from telegram import Bot, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.core.knowledge import KnowledgeHolder
from bot.ocr import Ocr
from bot.stats.identity import load_secret
from bot.stats.store import Store
from bot.telegram import handlers as h
from bot.telegram.batching import Batcher
from bot.telegram.commands import register_menus
from bot.telegram.groups import GUARD_FILE, GuardBook
from bot.telegram.health import MAX_AGE, beat, heartbeat_path
from bot.telegram.transport import RetryingRequest

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
BotApp = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class Webhook:
    """``lurecheck run --webhook-url`` options."""

    url: str
    listen: str = "0.0.0.0"
    port: int = 8443
    secret_token: str | None = None


def build_application(settings: Settings, tuning: h.Tuning | None = None,
                      holder: KnowledgeHolder | None = None,
                      ocr: Ocr | None = None, worker: bool = False) -> BotApp:
    """The fully wired Application; nothing touches the network until it is started.

    ``worker``: one of several processes behind the router in ``shards.py``, which owns
    fetching updates, the command menus and the heartbeat; the worker has no updater.
    """
    if not settings.token:
        raise ValueError("a bot token is required to build the Telegram application")
    tuning = tuning or h.Tuning()
    holder = holder or KnowledgeHolder(settings.rules_dir, settings.locales_dir)
    svc = h.Services(settings=settings, tuning=tuning, holder=holder,
                     ocr=ocr or Ocr(timeout=tuning.ocr_timeout,
                                    max_parallel=tuning.ocr_parallel),
                     worker=worker)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .request(sending_request(tuning))
        .rate_limiter(AIORateLimiter(max_retries=tuning.rate_limit_retries,
                                     overall_max_rate=tuning.overall_max_rate))
        .concurrent_updates(tuning.concurrent_updates or False)
        .defaults(Defaults(parse_mode=h.PARSE_MODE, link_preview_options=h.NO_LINK_PREVIEW))
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
    )
    if worker:
        builder = builder.updater(None)
    else:
        builder = builder.get_updates_request(polling_request(tuning))
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    if settings.api_base_file_url:
        builder = builder.base_file_url(settings.api_base_file_url)
    app: BotApp = builder.build()
    app.bot_data[h.SERVICES_KEY] = svc
    add_handlers(app)
    return app


def sending_request(tuning: h.Tuning) -> RetryingRequest:
    return RetryingRequest(attempts=tuning.send_attempts, backoff=tuning.send_backoff,
                           connection_pool_size=tuning.connection_pool_size,
                           pool_timeout=10.0, read_timeout=tuning.read_timeout)


def polling_request(tuning: h.Tuning) -> RetryingRequest:
    return RetryingRequest(attempts=tuning.send_attempts, backoff=tuning.send_backoff,
                           read_timeout=tuning.read_timeout)


def plain_bot(settings: Settings, tuning: h.Tuning) -> Bot:
    """A Bot without an Application, on our transport: the router's, and the token check's."""
    assert settings.token is not None
    servers: dict[str, Any] = {
        name: url for name, url in (("base_url", settings.api_base_url),
                                    ("base_file_url", settings.api_base_file_url)) if url}
    return Bot(settings.token, request=sending_request(tuning),
               get_updates_request=polling_request(tuning), **servers)


async def close_connections(bot: Bot) -> None:
    """Bot.shutdown leaves the connections open when initialize() failed (a bad token)."""
    await asyncio.gather(*(request.shutdown() for request in (bot.request, bot._request[0])))


async def verify_token(settings: Settings) -> None:
    """Ask Telegram once who we are before starting (raises InvalidToken if it refuses).

    A revoked token then ends in one line from the CLI, not in python-telegram-bot's
    start-up traceback.
    """
    bot = plain_bot(settings, h.Tuning())
    try:
        await bot.initialize()
        await bot.shutdown()
    finally:
        await close_connections(bot)


def add_handlers(app: BotApp) -> None:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    message = filters.UpdateType.MESSAGE
    images = filters.PHOTO | filters.Document.IMAGE
    admin_only = private  # admin check itself happens inside (ids from the environment)
    app.add_handlers([
        CommandHandler("start", h.cmd_start, filters=private),
        CommandHandler("help", h.cmd_help, filters=message),
        CommandHandler("language", h.cmd_language, filters=private),
        CommandHandler("privacy", h.cmd_privacy, filters=message),
        CommandHandler("forget", h.cmd_forget, filters=private),
        CommandHandler("about", h.cmd_about, filters=message),
        CommandHandler("check", h.cmd_check, filters=message),
        CommandHandler("guard", h.cmd_guard, filters=message),
        CommandHandler("reload", h.cmd_reload, filters=admin_only),
        CommandHandler("stats", h.cmd_stats, filters=admin_only),
        CallbackQueryHandler(h.on_callback),
        MessageHandler(private & filters.COMMAND, h.cmd_help),
        MessageHandler(private & images, h.on_private_image),
        MessageHandler(private & (filters.TEXT | filters.CAPTION), h.on_private_text),
        MessageHandler(private, h.on_private_other),
        MessageHandler(groups & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND,
                       h.on_group_message),
    ])
    app.add_error_handler(h.on_error)


async def on_startup(app: BotApp) -> None:
    svc: h.Services = app.bot_data[h.SERVICES_KEY]
    settings = svc.settings
    svc.store = await Store.open(settings.db_path)
    svc.guard = GuardBook(settings.db_path.parent / GUARD_FILE, load_secret(settings.db_path))
    svc.bot_username = app.bot.username

    async def deliver(chat_id: int, pieces: list[h.Piece]) -> None:
        context = ContextTypes.DEFAULT_TYPE(app, chat_id=chat_id)
        await h.deliver_batch(context, chat_id, pieces)

    svc.batcher = Batcher(deliver, window=svc.tuning.batch_window,
                          max_wait=svc.tuning.batch_max_wait,
                          max_items=svc.tuning.batch_max_items,
                          spawn=app.create_task)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGHUP, lambda: app.create_task(h.reload_packs(svc)))
    if svc.worker:
        return  # the router registers the menus and keeps the heartbeat
    await try_register_menus(app.bot)
    requests = [r for r in (app.bot.request, app.bot._request[0])
                if isinstance(r, RetryingRequest)]

    def reaching_telegram() -> bool:
        # Polling asks Telegram at least every long-poll timeout; a webhook bot may be
        # idle for hours, so there a running loop is all we can vouch for.
        if app.updater is None or not app.updater.running:
            return True
        return any(time.monotonic() - r.last_success < MAX_AGE for r in requests)

    # A plain task, not app.create_task: Application.stop waits for those, and this never ends.
    svc.heartbeat = asyncio.create_task(beat(heartbeat_path(settings.db_path), reaching_telegram))
    log.info("LureCheck bot started (OCR %s)",
             "on: " + "+".join(svc.ocr.langs) if svc.ocr.available else "unavailable")


async def try_register_menus(bot: Bot) -> None:
    try:
        await register_menus(bot)
    except Exception as exc:  # menus are cosmetic: never refuse to start over them
        log.warning("could not register command menus: %s", type(exc).__name__)


async def on_shutdown(app: BotApp) -> None:
    svc: h.Services = app.bot_data[h.SERVICES_KEY]
    with contextlib.suppress(NotImplementedError, RuntimeError):
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
    if svc.heartbeat is not None:
        svc.heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await svc.heartbeat
        svc.heartbeat = None
    if svc.store is not None:
        await svc.store.close()
        svc.store = None
        log.info("counts flushed; store closed")


@contextlib.asynccontextmanager
async def polling(app: BotApp, poll_timeout: float = 1.0) -> AsyncIterator[BotApp]:
    """Run ``app`` with long polling inside the current event loop (tests, bench).

    Mirrors what ``run_polling`` does (initialize, post_init, start, poll; then stop,
    post_shutdown), minus the signal handling that belongs to a process.
    """
    await app.initialize()
    try:
        await on_startup(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=int(poll_timeout),
                                        allowed_updates=ALLOWED_UPDATES)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
    finally:
        await on_shutdown(app)
        await app.shutdown()


def use_uvloop_if_installed() -> None:
    """uvloop (optional) cuts the event loop's share of CPU per update; see bench/bot.py."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


# Garbage-collector thresholds for the bot process (Python's defaults: 700, 10, 10). The
# bot keeps tens of thousands of long-lived objects (results behind the language buttons,
# per-person settings), and with the defaults a full collection ran every few seconds at
# 300 updates/s and paused the event loop for 50-150 ms each time: that, not CPU, was
# most of the p99 in bench/bot.py at 300 updates/s (133-281 ms; 3-48 ms with these on
# a quiet machine).
# Only reference cycles wait longer to be reclaimed; the rest is freed by refcounting.
GC_THRESHOLDS = (10_000, 50, 1_000)


def run(settings: Settings, webhook: Webhook | None = None, tuning: h.Tuning | None = None,
        holder: KnowledgeHolder | None = None) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook server behind a proxy."""
    use_uvloop_if_installed()
    gc.set_threshold(*GC_THRESHOLDS)
    app = build_application(settings, tuning, holder)
    if webhook is None:
        app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
        return
    path = urlsplit(webhook.url).path.lstrip("/")
    app.run_webhook(listen=webhook.listen, port=webhook.port, url_path=path,
                    webhook_url=webhook.url, secret_token=webhook.secret_token,
                    allowed_updates=ALLOWED_UPDATES)
