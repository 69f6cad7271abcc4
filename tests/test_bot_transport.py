"""The Bot API transport: JSON bodies, files, PTB's timeouts, errors and safe retries.

Each test runs a small aiohttp server on 127.0.0.1 that behaves one way (answers,
stalls, hangs up), so the real client stack is exercised.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram.transport import RetryingRequest, is_safe_to_retry

OK = {"ok": True, "result": {"message_id": 5}}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def request_data(**params: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


@asynccontextmanager
async def server(handler: Handler) -> AsyncIterator[str]:
    """A local server answering every path with `handler`; yields a sendMessage URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/bot123:abc/sendMessage"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def transport(**kwargs: Any) -> AsyncIterator[RetryingRequest]:
    request = RetryingRequest(backoff=0.01, **kwargs)
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


async def test_parameters_go_as_one_json_object() -> None:
    seen: list[tuple[str, Any]] = []

    async def handler(req: web.Request) -> web.Response:
        seen.append((req.content_type, await req.json()))
        return web.json_response(OK)

    markup = InlineKeyboardMarkup([[InlineKeyboardButton("한국어", callback_data="lang:ko")]])
    async with server(handler) as url, transport() as request:
        result = await request.post(url, request_data(chat_id=7, text="고수익 <b>x</b>",
                                                      reply_markup=markup))
    assert result == {"message_id": 5}
    assert seen == [("application/json", {"chat_id": 7, "text": "고수익 <b>x</b>", "reply_markup": {
        "inline_keyboard": [[{"text": "한국어", "callback_data": "lang:ko"}]]}})]


async def test_files_go_as_multipart_form_data() -> None:
    seen: dict[str, Any] = {}

    async def handler(req: web.Request) -> web.Response:
        form = await req.post()
        seen.update(chat_id=form["chat_id"], file=form["document"].file.read())  # type: ignore[union-attr]
        return web.json_response(OK)

    async with server(handler) as url, transport() as request:
        document = InputFile(b"%PDF", filename="a.pdf")
        await request.post(url, request_data(chat_id=7, document=document))
    assert seen == {"chat_id": "7", "file": b"%PDF"}


async def test_an_explicit_read_timeout_overrides_the_default() -> None:
    async def slow(req: web.Request) -> web.Response:
        await asyncio.sleep(0.5)
        return web.json_response(OK)

    async with server(slow) as url, transport(read_timeout=5.0) as request:
        with pytest.raises(TimedOut):
            await request.post(url, request_data(chat_id=7, text="x"), read_timeout=0.1)
    async with server(slow) as url, transport(read_timeout=0.1) as request:
        assert await request.post(url, request_data(chat_id=7, text="x"), read_timeout=3) == {
            "message_id": 5}


async def test_a_hang_up_before_any_answer_is_retried() -> None:
    """The stale keep-alive case: the server closes without answering, nothing was done."""
    calls = 0

    async def flaky(req: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        if calls == 1:
            assert req.transport is not None
            req.transport.close()
            raise asyncio.CancelledError  # the handler is gone with the connection
        return web.json_response(OK)

    async with server(flaky) as url, transport(attempts=3) as request:
        assert await request.post(url, request_data(chat_id=7, text="x")) == {"message_id": 5}
    assert calls == 2


async def test_a_lost_answer_is_not_retried() -> None:
    """Delivered, then no answer in time: a second send could duplicate the warning."""
    calls = 0

    async def stall(req: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        await asyncio.sleep(1)
        return web.json_response(OK)

    async with server(stall) as url, transport(attempts=3, read_timeout=0.1) as request:
        with pytest.raises(TimedOut) as caught:
            await request.post(url, request_data(chat_id=7, text="x"))
    assert calls == 1
    assert not is_safe_to_retry(caught.value)


async def test_a_refused_connection_is_a_network_error_safe_to_retry() -> None:
    async with transport(attempts=2) as request:
        with pytest.raises(NetworkError) as caught:
            await request.post("http://127.0.0.1:9/bot123:abc/sendMessage",
                               request_data(chat_id=7, text="x"))
    assert is_safe_to_retry(caught.value)
