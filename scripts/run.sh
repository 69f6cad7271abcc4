#!/usr/bin/env bash
# Run LureCheck. With TELEGRAM_BOT_TOKEN set it is the Telegram bot; without it, a
# local console where you paste a job offer and read the bot's answer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/lurecheck run "$@"
