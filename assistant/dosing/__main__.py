"""`python -m assistant.dosing`: the check-dose command on its own."""
from __future__ import annotations

import argparse
import sys

from assistant.dosing.cli import add_check_dose_arguments, run_check_dose


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.dosing", description="Check a dose against the corpus dose rules.")
    add_check_dose_arguments(parser)
    return run_check_dose(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
