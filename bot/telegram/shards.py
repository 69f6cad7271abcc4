"""Several bot processes behind one stream of updates, so the bot can use every core.

A python-telegram-bot Application runs on one event loop, so one process answers at most
one core's worth of updates (about 2 ms of CPU each; ``bench/bot.py``). With
``lurecheck run --workers N`` this process becomes a router: it alone fetches updates
(long polling or the webhook), registers the command menus and keeps the heartbeat, and
hands each update, as the raw JSON Telegram sent, to one of N worker processes
(``worker.py``), always the same one for the same chat. So everything the handlers keep
per chat in memory (forward batches, the results behind the language buttons, a group's
reply budget and Telegram's per-chat send limit, the flood window of a private chat) stays
in one process, as in a single-process bot. Counts go to the same SQLite file (WAL mode
and a busy timeout make concurrent writers wait their turn).

Workers answer through their own connections; the router's part of an update is its
getUpdates round trip, picking a worker and writing one line to a pipe (about 15% of a
core at 300 updates/s in ``bench/bot.py``, which is why two processes use more CPU in
all than one and pay off only when a core is otherwise idle). A worker that dies is
replaced; updates it had not answered are lost, as they would be if a single-process bot
died. A worker that dies within ``MIN_UPTIME`` of starting is not restarted in a loop:
the router stops with exit code 1 so that its supervisor (Docker, systemd) sees the
failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from bot.config import Settings
from bot.stats.identity import load_secret
from bot.telegram import handlers as h
from bot.telegram.app import (
    ALLOWED_UPDATES,
    Webhook,
    close_connections,
    plain_bot,
    try_register_menus,
)
from bot.telegram.health import MAX_AGE, beat, heartbeat_path
from bot.telegram.transport import RetryingRequest
from bot.telegram.worker import RELOAD_REQUEST, encode_config

log = logging.getLogger(__name__)

MIN_UPTIME = 10.0
POLL_TIMEOUT = 10
STOP_TIMEOUT = 60.0
# Back-off after a failed getUpdates: 1 s, doubling to at most 30 s.
POLL_BACKOFF = (1.0, 30.0)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def chat_of(update: Any) -> int:
    """The chat an update belongs to (its sender for a button on a vanished message)."""
    try:
        query = update.get("callback_query") or {}
        message = update.get("message") or query.get("message") or {}
        chat = message.get("chat") or query.get("from") or {}
        return int(chat.get("id") or 0)
    except (AttributeError, TypeError, ValueError):
        return 0


class Worker:
    """One worker process and the pipe that feeds it."""

    def __init__(self, shard: int, config: bytes,
                 on_reload_request: Callable[[Worker], None]) -> None:
        self.shard = shard
        self._config = config
        self._on_reload_request = on_reload_request
        self.proc: asyncio.subprocess.Process | None = None
        self.started = 0.0
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.telegram.worker",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        self.started = time.monotonic()
        await self.send(self._config)
        self._listener = asyncio.create_task(self._listen(self.proc))

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def send(self, line: bytes) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(line)
        await self.proc.stdin.drain()  # a busy worker slows the router, not memory

    async def _listen(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        while line := await proc.stdout.readline():
            if line == RELOAD_REQUEST:
                self._on_reload_request(self)

    def send_signal(self, number: int) -> None:
        if self.alive:
            assert self.proc is not None
            self.proc.send_signal(number)

    async def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Close the input (the worker answers what it has, flushes, exits) and wait."""
        if self.proc is None:
            return
        if self.proc.stdin is not None:
            self.proc.stdin.close()
            with contextlib.suppress(ConnectionError):
                await self.proc.stdin.wait_closed()
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            log.error("worker %d did not stop in %.0f s; killed", self.shard, timeout)
            self.proc.kill()
            await self.proc.wait()
        if self._listener is not None:
            await self._listener


class Router:
    """Fetch updates once, answer them in ``workers`` processes."""

    def __init__(self, settings: Settings, tuning: h.Tuning, workers: int) -> None:
        if workers < 2:
            raise ValueError("a router needs at least two workers")
        self.settings = settings
        self.tuning = tuning
        # Telegram's overall send cap is per bot: each worker gets its share.
        share = replace(tuning, overall_max_rate=tuning.overall_max_rate / workers)
        self.workers = [Worker(shard, encode_config(settings, share, shard), self._reload_others)
                        for shard in range(workers)]
        self.bot = plain_bot(settings, tuning)
        self._stopping = asyncio.Event()
        self._failed = False
        self._offset = 0

    # -- the route ------------------------------------------------------------------
    async def route(self, update: Any) -> None:
        worker = self.workers[chat_of(update) % len(self.workers)]
        line = json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        try:
            await worker.send(line)
        except ConnectionError:
            # The worker died between two updates; its replacement takes the next ones.
            log.error("update %s lost: worker %d is gone", update.get("update_id"),
                      worker.shard)

    def _reload_others(self, asking: Worker) -> None:
        log.info("worker %d reloaded the rule packs; reloading the others", asking.shard)
        for worker in self.workers:
            if worker is not asking:
                worker.send_signal(signal.SIGHUP)

    def reload_all(self) -> None:
        log.info("SIGHUP: reloading the rule packs in every worker")
        for worker in self.workers:
            worker.send_signal(signal.SIGHUP)

    # -- sources --------------------------------------------------------------------
    async def poll(self) -> None:
        """Long polling, acknowledging each batch by asking for the next."""
        await self.bot.delete_webhook()
        delay = POLL_BACKOFF[0]
        while True:
            try:
                batch = await self.bot.do_api_request(
                    "getUpdates", api_kwargs={"offset": self._offset, "timeout": POLL_TIMEOUT,
                                              "allowed_updates": ALLOWED_UPDATES},
                    read_timeout=POLL_TIMEOUT + self.tuning.read_timeout)
            except InvalidToken:
                raise
            except RetryAfter as exc:
                await asyncio.sleep(float(exc.retry_after if isinstance(exc.retry_after, int)
                                          else exc.retry_after.total_seconds()))
                continue
            except TelegramError as exc:
                level = logging.ERROR if isinstance(exc, Conflict) else logging.WARNING
                log.log(level, "getUpdates failed (%s); retrying in %.0f s",
                        type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, POLL_BACKOFF[1])
                continue
            delay = POLL_BACKOFF[0]
            for update in batch:
                self._offset = int(update["update_id"]) + 1
                await self.route(update)

    async def acknowledge(self) -> None:
        """Mark what was routed as read, so a restart does not fetch it again."""
        if not self._offset:
            return
        try:
            await self.bot.do_api_request(
                "getUpdates", api_kwargs={"offset": self._offset, "timeout": 0, "limit": 1,
                                          "allowed_updates": ALLOWED_UPDATES})
        except TelegramError as exc:
            log.warning("could not acknowledge the last updates (%s); Telegram may resend "
                        "them after a restart", type(exc).__name__)

    async def serve_webhook(self, webhook: Webhook) -> None:
        """Receive updates on ``webhook.url``'s path until cancelled."""
        path = urlsplit(webhook.url).path or "/"

        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(SECRET_HEADER, "").encode()
            if webhook.secret_token and \
                    not hmac.compare_digest(given, webhook.secret_token.encode()):
                return web.Response(status=403)
            try:
                update = await request.json()
            except ValueError:
                return web.Response(status=400)
            await self.route(update)
            return web.Response()

        server = web.Application()
        server.router.add_post(path, receive)
        runner = web.AppRunner(server, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, webhook.listen, webhook.port).start()
            await self.bot.set_webhook(webhook.url, secret_token=webhook.secret_token,
                                       allowed_updates=ALLOWED_UPDATES)
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    # -- lifecycle ------------------------------------------------------------------
    async def _supervise(self, worker: Worker) -> None:
        while True:
            assert worker.proc is not None
            code = await worker.proc.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - worker.started < MIN_UPTIME:
                log.critical("worker %d exited with code %s right after starting; stopping",
                             worker.shard, code)
                self._failed = True
                self._stopping.set()
                return
            log.error("worker %d exited with code %s; starting a new one", worker.shard, code)
            await worker.start()

    def _last_poll_success(self) -> float:
        polling = self.bot._request[0]
        return polling.last_success if isinstance(polling, RetryingRequest) else 0.0

    def stop(self) -> None:
        """Stop fetching, let every worker answer what it was given, then return."""
        self._stopping.set()

    def _workers_alive(self) -> bool:
        return all(worker.alive for worker in self.workers)

    def _polling_healthy(self) -> bool:
        return self._workers_alive() and \
            time.monotonic() - self._last_poll_success() < MAX_AGE

    async def run(self, webhook: Webhook | None = None) -> int:
        """Serve until SIGINT/SIGTERM; 0 after a clean stop, 1 if a worker kept failing."""
        # Created here once, not raced for by the workers; a bad secret stops us in one line.
        load_secret(self.settings.db_path)
        try:
            await self.bot.initialize()  # getMe: a revoked token stops us here
        except BaseException:
            await close_connections(self.bot)
            raise
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, self.stop)
        loop.add_signal_handler(signal.SIGHUP, self.reload_all)
        tasks: list[asyncio.Task[Any]] = []
        fetching: asyncio.Task[None] | None = None
        try:
            await asyncio.gather(*(worker.start() for worker in self.workers))
            tasks += [asyncio.create_task(self._supervise(worker)) for worker in self.workers]
            await try_register_menus(self.bot)
            # A webhook bot may be idle for hours: there, live workers are all we can vouch for.
            healthy = self._polling_healthy if webhook is None else self._workers_alive
            tasks.append(asyncio.create_task(
                beat(heartbeat_path(self.settings.db_path), healthy)))
            fetching = asyncio.create_task(self.poll() if webhook is None
                                           else self.serve_webhook(webhook))
            stopping = asyncio.create_task(self._stopping.wait())
            tasks.append(stopping)
            log.info("LureCheck router started with %d workers", len(self.workers))
            await asyncio.wait([fetching, stopping], return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._stopping.set()
            if fetching is not None:
                fetching.cancel()
                await asyncio.gather(fetching, return_exceptions=True)
            await self.acknowledge()
            await asyncio.gather(*(worker.stop() for worker in self.workers))
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.bot.shutdown()
            for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                loop.remove_signal_handler(number)
        failure = None if fetching.cancelled() else fetching.exception()
        if failure is not None:
            raise failure  # e.g. a network failure at start: the CLI says so in one line
        return 1 if self._failed else 0


def serve(settings: Settings, tuning: h.Tuning, workers: int,
          webhook: Webhook | None = None) -> int:
    return asyncio.run(Router(settings, tuning, workers).run(webhook))
