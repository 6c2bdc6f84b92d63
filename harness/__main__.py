"""`python -m gosuslugi_sandbox.harness`: the `gosuslugi-sandbox` command under its old name
(harness/cli.py)."""

import sys

from gosuslugi_sandbox.harness.cli import main

if __name__ == "__main__":
    sys.exit(main())
