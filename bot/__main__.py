"""`python -m bot` is the same as the `lurecheck` command."""

from bot.cli import main

raise SystemExit(main())
