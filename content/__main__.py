"""`python -m content check [DIR]`: check the bank and print every problem with file and line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from content.loader import ContentError, load_bank, summary

DEFAULT_DIR = Path(__file__).resolve().parent / "bank"


def main(argv: list[str] | None = None) -> int:
    """Run the checker; exit status 0 when the bank is sound, 1 when it has problems."""
    parser = argparse.ArgumentParser(prog="python -m content", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check every YAML file of a bank")
    check.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    try:
        bank = load_bank(args.directory)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"The bank in {args.directory.name}/ is sound.")
    print(summary(bank))
    return 0


if __name__ == "__main__":
    sys.exit(main())
