"""Start-up and per-page work the RP keeps small."""

from __future__ import annotations

import subprocess
import sys

from shared.config import REPO_ROOT

START = """
import sys
from relying_party import create_app
create_app({"INSTANCE_PATH": sys.argv[1], "SECRET_KEY": "x", "IDP_URL": "http://127.0.0.1:9"})
loaded = sorted(m for m in ("requests", "authlib.integrations.requests_client") if m in sys.modules)
print(",".join(loaded) or "none")
"""


def test_the_oidc_client_is_imported_on_first_use_not_at_start(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", START, str(tmp_path / "rp")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "none", result.stdout + result.stderr

