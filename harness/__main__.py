"""`python -m harness`: the `gosuslugi-sandbox` command under its old name (harness/cli.py)."""

import sys

from harness.cli import main

if __name__ == "__main__":
    sys.exit(main())
