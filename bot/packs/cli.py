"""`lurecheck rules lint | test | list`: what maintainers run before sending a pack change."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    rules = sub.add_parser("rules", help="lint, test and list the rule packs")
    actions = rules.add_subparsers(dest="action", required=True, metavar="ACTION")
    lint = actions.add_parser("lint", help="check every pack file (schema and meaning)")
    lint.add_argument("--json", action="store_true", help="print issues as JSON")
    lint.add_argument("--strict", action="store_true", help="fail on warnings too")
    lint.set_defaults(func=_lint)
    test = actions.add_parser("test", help="run every rule's own examples")
    test.add_argument("--json", action="store_true", help="print the report as JSON")
    test.set_defaults(func=_test)
    listing = actions.add_parser("list", help="every rule with its terms per language")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=_list)


def _lint(args: argparse.Namespace) -> int:
    from bot.cli import locales_dir, rules_dir
    from bot.packs.lint import lint

    issues = lint(rules_dir(args), locales_dir(args))
    failing = [i for i in issues if args.strict or not i.code.startswith("W")]
    if args.json:
        print(json.dumps([i.to_json() for i in issues], ensure_ascii=False, indent=1))
    else:
        for issue in issues:
            print(issue)
        verdict = "FAILED" if failing else "OK"
        print(
            f"rules lint: {verdict} — {len(failing)} error(s), "
            f"{len(issues) - len(failing)} warning(s)",
            file=sys.stderr,
        )
    return 1 if failing else 0


def _test(args: argparse.Namespace) -> int:
    from bot.cli import load_knowledge_or_exit
    from bot.packs.selftest import run_examples

    report = run_examples(load_knowledge_or_exit(args).engine)
    if args.json:
        print(
            json.dumps(
                {
                    "checked": report.checked,
                    "known_misses": report.known_misses,
                    "failures": [f.to_json() for f in report.failures],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for failure in report.failures:
            print(failure)
        print(
            f"rules test: {report.checked - len(report.failures)} passed, "
            f"{len(report.failures)} failed ({report.known_misses} known misses)",
            file=sys.stderr,
        )
    return 1 if report.failures else 0


def _list(args: argparse.Namespace) -> int:
    from bot.cli import load_knowledge_or_exit

    engine = load_knowledge_or_exit(args).engine
    rows = [
        {
            "id": rule.id,
            "status": rule.status,
            "category": rule.category,
            "severity": rule.severity,
            "weight": rule.weight,
            "country": rule.country,
            "title": dict(rule.title),
            "terms": {k: list(v) for k, v in rule.match.terms.items()},
            "regex": list(rule.match.regex),
            "references": list(rule.references),
            "path": rule.path,
        }
        for rule in engine.rules.values()
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for row in rows:
            print(
                f"{row['id']:<28} {row['category']:<24} {row['severity']:<10} {row['title']['en']}"
            )
    return 0
