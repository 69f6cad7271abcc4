"""The Bot API transport: JSON bodies, PTB's timeouts, and the error types PTB expects."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram.transport import RetryingRequest

URL = "http://127.0.0.1:9/bot123:abc/sendMessage"


def request_data(**params: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


async def transport(handler: Any) -> RetryingRequest:
    request = RetryingRequest(attempts=1, httpx_kwargs={"transport": httpx.MockTransport(handler)})
    await request.initialize()
    return request


async def test_parameters_go_as_one_json_object() -> None:
    seen: list[httpx.Request] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        return httpx.Response(200, json={"ok": True, "result": {"message_id": 5}})

    request = await transport(handler)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("한국어", callback_data="lang:ko")]])
    result = await request.post(URL, request_data(chat_id=7, text="고수익 <b>x</b>",
                                                  reply_markup=markup), read_timeout=3.5)
    await request.shutdown()
    assert result == {"message_id": 5}
    (sent,) = seen
    assert sent.headers["content-type"] == "application/json"
    body = json.loads(sent.content)
    assert body == {"chat_id": 7, "text": "고수익 <b>x</b>", "reply_markup": {
        "inline_keyboard": [[{"text": "한국어", "callback_data": "lang:ko"}]]}}
    assert sent.extensions["timeout"]["read"] == 3.5  # an explicit PTB timeout is kept


@pytest.mark.parametrize(
    ("failure", "error"),
    [(httpx.ReadTimeout("slow"), TimedOut), (httpx.ReadError("reset"), NetworkError)],
)
async def test_failures_map_to_ptb_errors(failure: Exception, error: type[Exception]) -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        raise failure

    request = await transport(handler)
    with pytest.raises(error):
        await request.post(URL, request_data(chat_id=7, text="x"))
    await request.shutdown()
