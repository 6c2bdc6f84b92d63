"""`python -m gosuslugi_sandbox`: the same as the `gosuslugi-sandbox` command."""

import sys

from gosuslugi_sandbox.harness.cli import main

if __name__ == "__main__":
    sys.exit(main())
