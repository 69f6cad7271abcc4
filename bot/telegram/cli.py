"""``lurecheck run``: start the Telegram bot (or the local console when no token is set).

Configuration errors (a malformed token, bad admin ids, unreadable rule packs) print one
line and exit 2: an operator should never have to read a traceback to find a typo, and
a traceback must never carry the token.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace

EXIT_CONFIG = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = subparsers.add_parser(
        "run", help="run the Telegram bot (long polling, or a webhook with --webhook-url)")
    run.add_argument("--webhook-url", metavar="URL",
                     help="public HTTPS URL Telegram should post updates to")
    run.add_argument("--listen", metavar="HOST", default="0.0.0.0",
                     help="address the webhook server binds (default 0.0.0.0)")
    run.add_argument("--port", metavar="N", type=int, default=8443,
                     help="port the webhook server binds (default 8443)")
    run.add_argument("--secret-token", metavar="T",
                     help="checked against X-Telegram-Bot-Api-Secret-Token on each update")
    run.add_argument("--workers", metavar="N",
                     help="bot processes sharing the updates, one per core to use "
                          "(default: LURECHECK_WORKERS, else 1)")
    run.set_defaults(func=_cmd_run)


def _fail(message: str) -> int:
    print(f"lurecheck: {message}", file=sys.stderr)
    return EXIT_CONFIG


def _cmd_run(args: argparse.Namespace) -> int:
    from bot.config import ConfigError, Settings, workers_from
    from bot.packs.errors import PackError

    try:
        settings = Settings.from_env()
        if args.workers is not None:
            settings = replace(settings, workers=workers_from(args.workers))
    except ConfigError as exc:
        return _fail(str(exc))
    rules_dir = getattr(args, "rules_dir", None) or settings.rules_dir
    locales_dir = getattr(args, "locales_dir", None) or settings.locales_dir
    if not settings.token:
        from bot.console import run_console

        print("TELEGRAM_BOT_TOKEN is not set: starting the local console instead of the bot.",
              file=sys.stderr)
        return run_console(rules_dir, locales_dir)
    if args.webhook_url and not args.webhook_url.startswith("https://"):
        return _fail("--webhook-url must be an https:// URL (Telegram refuses plain HTTP)")
    from telegram.error import InvalidToken, TelegramError

    from bot.core.knowledge import KnowledgeHolder
    from bot.stats.identity import SecretError
    from bot.telegram.app import Webhook, run, verify_token
    from bot.telegram.handlers import Tuning
    from bot.telegram.logsetup import setup_logging

    setup_logging(settings.log_level, token=settings.token)
    settings = replace(settings, rules_dir=rules_dir, locales_dir=locales_dir)
    try:
        holder = KnowledgeHolder(settings.rules_dir, settings.locales_dir)
    except PackError as exc:
        for issue in exc.issues[:20]:
            print(issue, file=sys.stderr)
        return _fail(f"{len(exc.issues)} problem(s) in the rule packs; not starting")
    webhook = (Webhook(args.webhook_url, args.listen, args.port, args.secret_token)
               if args.webhook_url else None)
    try:
        asyncio.run(verify_token(settings))
        if settings.workers > 1:
            from bot.telegram.shards import serve

            del holder  # each worker loads its own packs; the router needs none
            return serve(settings, Tuning(), settings.workers, webhook)
        run(settings, webhook, holder=holder)
    except SecretError as exc:
        return _fail(str(exc))
    except InvalidToken:
        return _fail("Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?)")
    except TelegramError as exc:
        print(f"lurecheck: cannot reach the Bot API ({type(exc).__name__}); not starting",
              file=sys.stderr)
        return 1
    return 0
