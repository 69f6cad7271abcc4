#!/usr/bin/env bash
# The whole test suite, as CI runs it: set up, lint, type-check, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check bot tests bench
.venv/bin/mypy
.venv/bin/lurecheck rules lint
.venv/bin/lurecheck rules test
.venv/bin/python -m pytest -q "$@"
