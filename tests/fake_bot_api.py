"""A small, real HTTP server on 127.0.0.1 that speaks enough of the Telegram Bot API.

Why a server and not a mocked transport: the end-to-end tests must exercise the real
python-telegram-bot stack (httpx, request encoding, rate limiter, retries, polling) exactly
as production does; only the far end is replaced. The server runs in a background thread
so the test's event loop stays free for the bot.

What it does:
- ``/bot<token>/<method>`` for getMe, getUpdates (long poll), deleteWebhook, setWebhook,
  setMyCommands, deleteMyCommands, sendMessage, editMessageText, editMessageReplyMarkup,
  answerCallbackQuery, sendChatAction, getFile, getChatMember, getChatAdministrators,
  close and logOut; and ``/file/bot<token>/<path>`` for file downloads.
- PTB posts form fields (strings raw, everything else JSON-encoded); both urlencoded
  and JSON bodies are accepted.
- Fault injection per method (:meth:`FakeBotApi.inject`): an HTTP status with a Bot API
  error body (429 carries ``parameters.retry_after``), ``drop`` (the request is read and
  the connection closed without processing or answering it) and ``stall`` (the request
  IS processed, then the answer is withheld until the client has given up, the classic
  "did my send go through?" case).
- Everything the bot sent is kept in :attr:`FakeBotApi.sent` (successful deliveries only)
  and every call in :attr:`FakeBotApi.calls`, so tests can count deliveries exactly.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_ID = 7_000_000_001
BOT_USERNAME = "lurecheck_test_bot"

JsonDict = dict[str, Any]


@dataclass
class Fault:
    """One injected failure for the next call of a method."""

    kind: str  # "status" | "drop" | "stall"
    status: int = 500
    retry_after: int | None = None
    stall_seconds: float = 0.0


@dataclass
class Call:
    method: str
    params: JsonDict
    outcome: str  # "ok", "error", "drop", "stall"


@dataclass
class Sent:
    """A message the bot successfully sent (or an edit / answer it made)."""

    method: str
    chat_id: int
    message_id: int
    text: str
    params: JsonDict
    reply_to: int | None = None
    buttons: list[list[JsonDict]] = field(default_factory=list)
    at: float = field(default_factory=time.monotonic)  # arrival time, for the benchmark

    @property
    def button_data(self) -> list[str]:
        return [b.get("callback_data", "") for row in self.buttons for b in row]


def _decode_params(raw: dict[str, str]) -> JsonDict:
    """Undo PTB's encoding: non-string values arrive as JSON text."""
    out: JsonDict = {}
    for key, value in raw.items():
        if key in {"text", "caption", "callback_query_id", "file_id", "secret_token", "url"}:
            out[key] = value
            continue
        try:
            out[key] = json.loads(value)
        except (ValueError, TypeError):
            out[key] = value
    return out


class FakeBotApi:
    """The server plus its state. Use as a context manager or call start()/stop()."""

    def __init__(self, token: str) -> None:
        self.token = token
        self._lock = threading.Condition()
        self._updates: list[JsonDict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._file_ids = itertools.count(1)
        self._faults: dict[str, list[Fault]] = {}
        self._files: dict[str, bytes] = {}
        self._admins: dict[int, set[int]] = {}
        self._closing = False
        self.sent: list[Sent] = []
        self.calls: list[Call] = []
        self.commands: list[JsonDict] = []
        self.confirmed_offset = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> FakeBotApi:
        handler = _make_handler(self)
        self._server = _Server(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._closing = True
            self._lock.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ----------------------------------------------------------------- test side
    def inject(self, method: str, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._faults.setdefault(method, []).extend([fault] * times)

    def add_file(self, data: bytes) -> str:
        with self._lock:
            file_id = f"file{next(self._file_ids)}"
            self._files[file_id] = data
            return file_id

    def set_admins(self, chat_id: int, user_ids: set[int]) -> None:
        with self._lock:
            self._admins[chat_id] = set(user_ids)

    def next_message_id(self) -> int:
        with self._lock:
            return next(self._message_ids)

    def push(self, kind: str, payload: JsonDict) -> int:
        """Queue an update of ``kind`` ("message", "callback_query", ...); returns its id."""
        with self._lock:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, kind: payload})
            self._lock.notify_all()
            return update_id

    def replies_to(self, message_id: int) -> list[Sent]:
        return [s for s in self.sent_messages() if s.reply_to == message_id]

    def sent_messages(self) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.method == "sendMessage"]

    def of_method(self, method: str) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.method == method]

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def pending_updates(self) -> int:
        with self._lock:
            return sum(1 for u in self._updates if u["update_id"] >= self.confirmed_offset)

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 20.0, what: str = "condition"
    ) -> None:
        """Poll ``predicate`` without blocking the event loop; fail loudly on the deadline.

        The deadline is a hang guard, not a timing assertion.
        """
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.01)

    # ----------------------------------------------------------------- API side
    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            return queue.pop(0) if queue else None

    def _bot_user(self) -> JsonDict:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "LureCheck",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        with self._lock:
            if offset:
                self.confirmed_offset = max(self.confirmed_offset, offset)
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while True:
                ready = [u for u in self._updates if u["update_id"] >= offset][:limit]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self._closing:
                    return ready
                self._lock.wait(min(remaining, 0.5))

    def _record(self, method: str, params: JsonDict, chat_id: int, message_id: int) -> Sent:
        markup = params.get("reply_markup") or {}
        reply = params.get("reply_parameters") or {}
        sent = Sent(
            method=method,
            chat_id=chat_id,
            message_id=message_id,
            text=str(params.get("text", "")),
            params=params,
            reply_to=reply.get("message_id") if isinstance(reply, dict) else None,
            buttons=markup.get("inline_keyboard", []) if isinstance(markup, dict) else [],
        )
        with self._lock:
            self.sent.append(sent)
        return sent

    def handle(self, method: str, params: JsonDict) -> tuple[int, JsonDict]:
        """Process one API call; returns (HTTP status, JSON body)."""
        now = int(time.time())
        if method == "getMe":
            return 200, {"ok": True, "result": self._bot_user()}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        if method in {"deleteWebhook", "setWebhook", "close", "logOut", "sendChatAction"}:
            return 200, {"ok": True, "result": True}
        if method == "setMyCommands":
            with self._lock:
                self.commands.append(params)
            return 200, {"ok": True, "result": True}
        if method == "deleteMyCommands":
            return 200, {"ok": True, "result": True}
        if method == "sendMessage":
            text = str(params.get("text", ""))
            if not text.strip():
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: message text is empty"}
            if len(text) > 4096:
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: message is too long"}
            chat_id = int(params["chat_id"])
            message_id = self.next_message_id()
            self._record(method, params, chat_id, message_id)
            message: JsonDict = {
                "message_id": message_id,
                "date": now,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": self._bot_user(),
                "text": text,
            }
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            return 200, {"ok": True, "result": message}
        if method in {"editMessageText", "editMessageReplyMarkup"}:
            chat_id = int(params.get("chat_id", 0))
            message_id = int(params.get("message_id", 0))
            self._record(method, params, chat_id, message_id)
            return 200, {"ok": True, "result": {
                "message_id": message_id, "date": now,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "text": str(params.get("text", "")),
            }}
        if method == "answerCallbackQuery":
            self._record(method, params, 0, 0)
            return 200, {"ok": True, "result": True}
        if method == "getFile":
            file_id = str(params.get("file_id"))
            with self._lock:
                data = self._files.get(file_id)
            if data is None:
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: invalid file_id"}
            return 200, {"ok": True, "result": {
                "file_id": file_id, "file_unique_id": f"u{file_id}",
                "file_size": len(data), "file_path": f"photos/{file_id}.png",
            }}
        if method in {"getChatMember", "getChatAdministrators"}:
            chat_id = int(params.get("chat_id", 0))
            with self._lock:
                admins = self._admins.get(chat_id, set())
            if method == "getChatAdministrators":
                return 200, {"ok": True, "result": [
                    {"status": "administrator", "user": _user(uid), "can_be_edited": False,
                     "is_anonymous": False, "can_manage_chat": True,
                     "can_delete_messages": True, "can_manage_video_chats": True,
                     "can_restrict_members": True, "can_promote_members": False,
                     "can_change_info": True, "can_invite_users": True,
                     "can_post_stories": False, "can_edit_stories": False,
                     "can_delete_stories": False}
                    for uid in sorted(admins)]}
            user_id = int(params.get("user_id", 0))
            if user_id in admins:
                return 200, {"ok": True, "result": {
                    "status": "creator", "user": _user(user_id), "is_anonymous": False}}
            return 200, {"ok": True, "result": {"status": "member", "user": _user(user_id)}}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def file_bytes(self, path: str) -> bytes | None:
        file_id = path.rsplit("/", 1)[-1].split(".", 1)[0]
        with self._lock:
            return self._files.get(file_id)


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 resets connections when a bot opens its pool all at once.
    request_queue_size = 256
    daemon_threads = True


def _make_handler(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the default stderr access log."""

        def setup(self) -> None:
            """Headers and body go out in separate writes: without TCP_NODELAY, Nagle plus
            delayed ACKs would add ~40 ms to every keep-alive response."""
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _reply(self, status: int, body: bytes, ctype: str = "application/json") -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _read_params(self) -> JsonDict:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            ctype = self.headers.get("Content-Type", "")
            if not body:
                return {}
            if ctype.startswith("application/json"):
                loaded = json.loads(body)
                return loaded if isinstance(loaded, dict) else {}
            raw = {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode()).items()}
            return _decode_params(raw)

        def do_GET(self) -> None:
            prefix = f"/file/bot{api.token}/"
            path = urllib.parse.unquote(self.path)  # PTB percent-encodes the token's ':'
            if path.startswith(prefix):
                data = api.file_bytes(path[len(prefix):])
                if data is not None:
                    self._reply(200, data, "application/octet-stream")
                    return
            if self.path.startswith(f"/bot{api.token}/"):
                self._dispatch({})
                return
            self._reply(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')

        def do_POST(self) -> None:
            self._dispatch(self._read_params())

        def _dispatch(self, params: JsonDict) -> None:
            prefix = f"/bot{api.token}/"
            if not self.path.startswith(prefix):
                body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
                self._reply(401, json.dumps(body).encode())
                return
            method = self.path[len(prefix):].split("?", 1)[0]
            fault = api._take_fault(method)
            if fault is not None and fault.kind == "drop":
                with api._lock:
                    api.calls.append(Call(method, params, "drop"))
                self.close_connection = True
                return
            if fault is not None and fault.kind == "status":
                body = {"ok": False, "error_code": fault.status,
                        "description": f"Injected error {fault.status}"}
                if fault.retry_after is not None:
                    body["parameters"] = {"retry_after": fault.retry_after}
                    body["description"] = (
                        f"Too Many Requests: retry after {fault.retry_after}")
                with api._lock:
                    api.calls.append(Call(method, params, "error"))
                self._reply(fault.status, json.dumps(body).encode())
                return
            status, result = api.handle(method, params)
            with api._lock:
                api.calls.append(Call(method, params, "stall" if fault else (
                    "ok" if status == 200 else "error")))
            if fault is not None and fault.kind == "stall":
                time.sleep(fault.stall_seconds)
                self.close_connection = True
            self._reply(status, json.dumps(result).encode())

    return Handler


# --------------------------------------------------------------------- update builders
def _user(user_id: int, language_code: str | None = None) -> JsonDict:
    user: JsonDict = {"id": user_id, "is_bot": False, "first_name": f"U{user_id % 1000}"}
    if language_code:
        user["language_code"] = language_code
    return user


@dataclass
class Person:
    """A Telegram user for building updates (private chat id == user id)."""

    user_id: int
    language_code: str | None = "en"

    def as_user(self) -> JsonDict:
        return _user(self.user_id, self.language_code)


class Updates:
    """Builds realistic update payloads and queues them on a :class:`FakeBotApi`."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    def _message(self, person: Person, chat: JsonDict | None, **fields: Any) -> JsonDict:
        message: JsonDict = {
            "message_id": self.api.next_message_id(),
            "date": int(time.time()),
            "chat": chat or {"id": person.user_id, "type": "private",
                             "first_name": f"U{person.user_id % 1000}"},
            "from": person.as_user(),
        }
        message.update({k: v for k, v in fields.items() if v is not None})
        return message

    def text(self, person: Person, text: str, *, chat: JsonDict | None = None,
             forward: bool = False, entities: list[JsonDict] | None = None,
             reply_to: JsonDict | None = None) -> JsonDict:
        """Queue a text message (optionally forwarded); returns the message dict."""
        extra: JsonDict = {"text": text, "entities": entities, "reply_to_message": reply_to}
        if forward:
            extra["forward_origin"] = {"type": "hidden_user", "sender_user_name": "Recruiter",
                                       "date": int(time.time()) - 3600}
        message = self._message(person, chat, **extra)
        self.api.push("message", message)
        return message

    def command(self, person: Person, command: str, *, chat: JsonDict | None = None,
                reply_to: JsonDict | None = None) -> JsonDict:
        name = command.split()[0]
        return self.text(person, command, chat=chat, reply_to=reply_to,
                         entities=[{"type": "bot_command", "offset": 0, "length": len(name)}])

    def photo(self, person: Person, data: bytes, *, caption: str | None = None,
              width: int = 800, height: int = 600) -> JsonDict:
        file_id = self.api.add_file(data)
        sizes = [{"file_id": file_id, "file_unique_id": f"u{file_id}", "width": width,
                  "height": height, "file_size": len(data)}]
        message = self._message(person, None, photo=sizes, caption=caption)
        self.api.push("message", message)
        return message

    def document(self, person: Person, data: bytes, mime: str, name: str) -> JsonDict:
        file_id = self.api.add_file(data)
        doc = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name,
               "mime_type": mime, "file_size": len(data)}
        message = self._message(person, None, document=doc)
        self.api.push("message", message)
        return message

    def raw(self, person: Person, **fields: Any) -> JsonDict:
        message = self._message(person, None, **fields)
        self.api.push("message", message)
        return message

    def callback(self, person: Person, message: JsonDict, data: str) -> int:
        query = {"id": f"cq{self.api.next_message_id()}", "from": person.as_user(),
                 "chat_instance": "ci1", "data": data, "message": message}
        return self.api.push("callback_query", query)


def group_chat(chat_id: int = -1001234567890) -> JsonDict:
    return {"id": chat_id, "type": "supergroup", "title": "Community"}


def bot_message(sent: Sent) -> JsonDict:
    """The message dict of something the bot sent, as it would appear in a callback."""
    return {
        "message_id": sent.message_id,
        "date": int(time.time()),
        "chat": {"id": sent.chat_id, "type": "private" if sent.chat_id > 0 else "supergroup"},
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "LureCheck",
                 "username": BOT_USERNAME},
        "text": sent.text,
    }
