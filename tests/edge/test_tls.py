"""HTTPS on demand: the test CA, both apps over HTTPS, clients that verify certificates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import requests
from cryptography import x509

from gosuslugi_sandbox.harness.cli import main
from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.harness.drivers.http_driver import HttpDriver
from gosuslugi_sandbox.harness.scenarios.runner import load_all, run_scenario
from gosuslugi_sandbox.harness.stand import LocalStand
from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.tls import ensure_tls
from tests.paths import REPO_ROOT

LINK_FLOW = FIXTURES_DIR / "scenarios" / "link-mismatch-sync.yaml"


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return ensure_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def https_stand(tls):
    local = LocalStand("oidc", tls=tls)
    yield local.start()
    local.stop()


def test_the_ca_is_made_once_and_the_certificate_follows_the_hosts(tmp_path):
    first = ensure_tls(tmp_path)
    ca, cert = first.ca_cert.read_bytes(), first.cert.read_bytes()
    again = ensure_tls(tmp_path)
    assert (again.ca_cert.read_bytes(), again.cert.read_bytes()) == (ca, cert)
    wider = ensure_tls(tmp_path, ["qa-stand.example"])
    assert wider.ca_cert.read_bytes() == ca and wider.cert.read_bytes() != cert
    san = x509.load_pem_x509_certificate(wider.cert.read_bytes()).extensions
    names = san.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {"localhost", "qa-stand.example"}
    assert oct(first.ca_key.stat().st_mode & 0o777) == "0o600"
    assert oct(first.key.stat().st_mode & 0o777) == "0o600"
    openssl = shutil.which("openssl")
    if openssl:  # an oracle we did not write (Debian's openssl is on these machines)
        checked = subprocess.run(
            [openssl, "verify", "-x509_strict", "-CAfile", str(wider.ca_cert), str(wider.cert)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_url_is_https(https_stand, tls):
    assert https_stand.idp_url.startswith("https://")
    doc = requests.get(
        f"{https_stand.idp_url}/.well-known/openid-configuration", verify=tls.ca_cert, timeout=5
    ).json()
    urls = [v for k, v in doc.items() if k == "issuer" or k.endswith(("_endpoint", "_uri"))]
    assert len(urls) >= 7 and all(u.startswith(https_stand.idp_url) for u in urls), urls
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(https_stand.idp_url, timeout=5, verify=True)  # not a public CA


def test_a_verifying_client_completes_a_link_over_https(https_stand, tls):
    """The runner's HTTP driver (verifying with the CA) links a profile; the fake Sferum
    fetches discovery, JWKS and the token from the IdP over HTTPS, verifying too."""
    [scenario] = load_all([LINK_FLOW], [])
    result = run_scenario(scenario, https_stand, lambda _s: HttpDriver(verify=str(tls.ca_cert)))
    assert result.ok, result.failure_text()
    assert https_stand.rp().user(123456)["gosuslugi_oid"] == "1000000001"


def test_sferum_without_the_ca_refuses_the_idp(tls):
    local = LocalStand("oidc", tls=tls, extra_rp_config={"CA_BUNDLE": None})
    stand = local.start()
    try:
        browser = HttpBrowser(verify=str(tls.ca_cert))
        rp = stand.rp_url()
        browser.open(f"{rp}/login")
        browser.submit("login-form", {"login-input": "+7 911 111-11-11"})
        browser.submit("password-form", {"password-input": "Roshchina-Sferum1"})
        browser.open(f"{rp}/settings")
        browser.click("settings-gosuslugi-link")
        page = browser.click("gosuslugi-continue")
        assert page.status == 502 and page.url.startswith(rp)  # the IdP is not trusted
    finally:
        local.stop()


def test_the_runner_runs_private_stands_over_https(capsys):
    assert main(["run", str(LINK_FLOW), "--tls", "-q"]) == 0
    assert "1 passed, 0 failed" in capsys.readouterr().out


def test_the_pytest_plugin_works_over_https():
    env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "GOSUSLUGI_TLS")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--gosuslugi-tls",
         "tests/plugin_example"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout


def test_chromium_accepts_the_stands_certificate(https_stand, tls):
    from gosuslugi_sandbox.harness.drivers.playwright_driver import BrowserPool
    from tests.browser.conftest import require_chromium

    require_chromium()
    pool = BrowserPool(trust=str(tls.ca_cert))
    try:
        driver = pool.make_driver()
        driver.open(f"{https_stand.rp_url()}/login")
        assert driver.has("login-form") and driver.url.startswith("https://")
        driver.close()
    finally:
        pool.close_thread()
