"""The real `lurecheck run` process: configuration errors, polling, SIGHUP, SIGTERM."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from fake_bot_api import FakeBotApi, Person, Updates
from support.bot_harness import TOKEN, checks_counted

from bot.config import PROJECT_ROOT


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LURECHECK_"))}
    env.update({"PYTHONPATH": str(PROJECT_ROOT), "LURECHECK_DB": str(tmp_path / "db.sqlite3")})
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True,
                          capture_output=True, env=env, cwd=PROJECT_ROOT, timeout=120)


def test_malformed_token_is_one_line_exit_2_without_echoing_it(tmp_path: Path) -> None:
    bad = "12345:short-and-wrong"
    done = _run(["run"], _env(tmp_path, TELEGRAM_BOT_TOKEN=bad))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "TELEGRAM_BOT_TOKEN" in done.stderr
    assert bad not in done.stderr


@pytest.mark.parametrize(("args", "env"), [(["--workers", "two"], {}),
                                           ([], {"LURECHECK_WORKERS": "0"})])
def test_a_bad_worker_count_is_one_line_exit_2(tmp_path: Path, args: list[str],
                                               env: dict[str, str]) -> None:
    done = _run(["run", *args], _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, **env))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "lurecheck: LURECHECK_WORKERS (or --workers) must be a whole number from 1 to 64"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_rejected_token_is_one_line_exit_2(tmp_path: Path, workers: str) -> None:
    revoked = "987654321:AAHrevokedTOKENsecretPART_abcdefghi"
    with FakeBotApi(TOKEN) as api:  # knows only TOKEN: any other is refused (401)
        env = _env(tmp_path, TELEGRAM_BOT_TOKEN=revoked, TELEGRAM_API_BASE_URL=api.base_url)
        done = _run(["run", "--workers", workers], env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "lurecheck: Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?)"]


def test_an_unreachable_bot_api_is_one_line_exit_1(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}/bot"  # a port nobody listens on
    done = _run(["run"], _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=url))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr  # the log says how each attempt failed, then:
    assert done.stderr.strip().splitlines()[-1] == \
        "lurecheck: cannot reach the Bot API (NetworkError); not starting"
    assert TOKEN.split(":")[1] not in done.stderr


def test_health_check_fails_without_a_heartbeat(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot.telegram.health"], env=_env(tmp_path),
                          cwd=PROJECT_ROOT, capture_output=True, timeout=60)
    assert done.returncode == 1


def test_webhook_url_must_be_https(tmp_path: Path) -> None:
    done = _run(["run", "--webhook-url", "http://example.org/hook"],
                _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_without_token_run_falls_back_to_the_console(tmp_path: Path) -> None:
    done = _run(["run"], _env(tmp_path), stdin="")
    assert done.returncode == 0, done.stderr[-400:]
    assert "console" in done.stderr


def _bot_env(tmp_path: Path, api: FakeBotApi, **extra: str) -> dict[str, str]:
    return _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url,
                TELEGRAM_API_BASE_FILE_URL=api.base_file_url, **extra)


@contextlib.contextmanager
def _bot(args: list[str], env: dict[str, str], output: IO[str] | int = subprocess.DEVNULL,
         ) -> Iterator[subprocess.Popen[bytes]]:
    """``lurecheck run ARGS`` as a real process, killed at the end if still running."""
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run", *args], env=env,
                            cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0


def _wait(predicate: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("workers", [1, 2])
def test_run_polls_answers_reloads_on_sighup_and_flushes_on_sigterm(tmp_path: Path,
                                                                    workers: int) -> None:
    """One process, or a router with two worker processes (``--workers 2``)."""
    log_path = tmp_path / "bot.log"
    with FakeBotApi(TOKEN) as api, log_path.open("w") as log:
        updates = Updates(api)
        env = _bot_env(tmp_path, api, LOG_LEVEL="DEBUG")
        with _bot(["--workers", str(workers)], env, log) as proc:
            person = Person(8_123_456_789, "vi")
            text = "Việc nhẹ lương cao 2000 USD, bay miễn phí sang Campuchia"
            message = updates.text(person, text)
            _wait(lambda: api.replies_to(message["message_id"]), "the reply")
            _wait(lambda: (tmp_path / "heartbeat").exists(), "the heartbeat")
            health = subprocess.run([sys.executable, "-m", "bot.telegram.health"], env=env,
                                    cwd=PROJECT_ROOT, capture_output=True, timeout=60)
            assert health.returncode == 0, health.stdout
            proc.send_signal(signal.SIGHUP)
            _wait(lambda: log_path.read_text().count("rule packs reloaded") == workers,
                  "every process's reload log line")
            _stop(proc)
    assert len(api.replies_to(message["message_id"])) == 1
    assert checks_counted(tmp_path / "db.sqlite3") == 1
    logs = log_path.read_text()
    assert logs.count("counts flushed") == workers
    for secret in (TOKEN, TOKEN.split(":")[1], str(person.user_id), text):
        assert secret not in logs


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post(port: int, update: dict[str, object], secret: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/hook", data=json.dumps(update).encode(), method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return refused.code


@pytest.mark.parametrize("workers", [1, 2])
def test_webhook_answers_posted_updates_and_refuses_a_wrong_secret(tmp_path: Path,
                                                                   workers: int) -> None:
    """``run --webhook-url`` behind a proxy: the proxy forwards Telegram's POSTs here."""
    port, secret = _free_port(), "webhook-Secret_42"
    with FakeBotApi(TOKEN) as api:
        updates = Updates(api)
        args = ["--webhook-url", "https://bot.example.org/hook", "--listen", "127.0.0.1",
                "--port", str(port), "--secret-token", secret, "--workers", str(workers)]
        with _bot(args, _bot_env(tmp_path, api)) as proc:
            _wait(lambda: api.calls_of("setWebhook") or proc.poll() is not None, "setWebhook")
            (call,) = api.calls_of("setWebhook")
            assert call.params["url"] == "https://bot.example.org/hook"
            assert call.params["secret_token"] == secret
            message = updates.text(Person(8_100_000_001, "th"), "งานออนไลน์ รายได้ดี บินฟรี")
            update = {"update_id": 1, "message": message}
            assert _post(port, update, "not-the-secret") == 403
            assert _post(port, update, secret) == 200
            _wait(lambda: api.replies_to(message["message_id"]), "the reply")
            _stop(proc)
    assert len(api.replies_to(message["message_id"])) == 1


def _running(pid: str) -> bool:
    """True while ``pid`` runs; an exited process not yet reaped (a zombie) has stopped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_workers_finish_and_flush_when_the_router_is_killed(tmp_path: Path) -> None:
    """SIGKILL on the router (OOM killer, kill -9): its workers see their input end,
    answer what they hold, flush the counts and exit instead of lingering as orphans."""
    with FakeBotApi(TOKEN) as api:
        updates = Updates(api)
        with _bot(["--workers", "2"], _bot_env(tmp_path, api)) as proc:
            message = updates.text(Person(8_200_000_001, "ko"), "캄보디아 고수익 알바, 항공권 무료")
            _wait(lambda: api.replies_to(message["message_id"]), "the reply")
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            assert len(children) == 2
            proc.kill()
            proc.wait(timeout=30)
            _wait(lambda: not any(_running(pid) for pid in children), "the workers to exit")
    assert checks_counted(tmp_path / "db.sqlite3") == 1
