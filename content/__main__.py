"""`python -m content check [DIR]`: check a bank and print every problem with file and line; then its
guessability and coverage tables, failing the bank when a figure is over its limit or a marking
point is not both taught and tested (`--draft`: the floors and those limits are reported, not
enforced).

`python -m content publish [DIR]`: record new item ids as published, so they can never vanish.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from content.loader import ContentError, load_bank
from content.published import publish
from content.report import Report, coverage_report, guessability_report
from content.summary import summary

DEFAULT_DIR = Path(__file__).resolve().parent / "bank"


def main(argv: list[str] | None = None) -> int:
    """Run the checker; exit status 0 when the bank is sound and meets its limits, 1 when it does not."""
    parser = argparse.ArgumentParser(prog="python -m content", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check every YAML file of a bank")
    check.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    check.add_argument(
        "--draft",
        action="store_true",
        help="skip the floors (counts per kind and area); report the guessability and coverage limits "
        "without enforcing them",
    )
    publish_cmd = sub.add_parser("publish", help="record the bank's new ids as published (after a check)")
    publish_cmd.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    try:
        if args.command == "publish":
            added = publish(args.directory, load_bank(args.directory).items.keys())
            print(f"Published {len(added)} new ids." if added else "Nothing new to publish.")
            return 0
        bank = load_bank(args.directory, floors=not args.draft)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    draft = " (draft: floors not checked, limits and gaps not enforced)" if args.draft else ""
    print(f"The bank in {args.directory.name}/ is sound{draft}.")
    print(summary(bank))
    report = guessability_report(bank) + coverage_report(bank)
    print(report.text)
    return verdict(report, draft=args.draft)


def verdict(report: Report, *, draft: bool) -> int:
    """Print what the bank fails (a draft is only told about limits and gaps); 1 if it fails."""
    enforced = list(report.errors) + ([] if draft else list(report.failures))
    if draft and report.failures:
        noun = "check" if len(report.failures) == 1 else "checks"
        print(f"\nDraft: {len(report.failures)} guessability or coverage {noun} not met (not enforced):")
        print("\n".join(f"  {failure}" for failure in report.failures))
    if not enforced:
        if not draft:
            print("\nEvery guessability limit is met and every marking point is taught and tested.")
        return 0
    noun = "check" if len(enforced) == 1 else "checks"
    lines = [f"The bank's files are sound, but it fails {len(enforced)} guessability or coverage {noun}:"]
    lines += [f"  {failure}" for failure in enforced]
    lines.append('See "Rules an author must meet, and why" in docs/content.md.')
    print("\n" + "\n".join(lines), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
