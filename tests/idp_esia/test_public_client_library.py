"""A public ESIA client library, written for real Gosuslugi, works against the sandbox as is.

`esia-connector` (PyPI, 2016) signs with `openssl smime`, calls /aas/oauth2/ac and /te, checks
the ID token with PyJWT against the hard-coded issuer `http://esia.gosuslugi.ru/` and reads the
person REST API. Only its settings differ from production: the base URL and the keys (the
fixture client certificate, and the IdP's public key taken from its published certificate).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from esia_connector.client import EsiaAuth, EsiaSettings
from esia_connector.exceptions import IncorrectMarkerError

from gosuslugi_sandbox.harness.drivers.http_browser import HttpBrowser
from gosuslugi_sandbox.shared.config import FIXTURES_DIR

from .conftest import CALLBACK, ROSHCHINA

SCOPE = "openid fullname birthdate gender snils contacts addresses id_doc"

# We run the library unchanged (that is the point), so two habits of its own code are expected
# here: it calls PyJWT 1.x without `algorithms` (PyJWT warns), and it reads its signature file
# with open(...).read() without closing it (a ResourceWarning when collected).
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:It is strongly recommended that you pass in a value for the:DeprecationWarning"
    ),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture
def settings(idp, tmp_path):
    """The library's settings: the sandbox's URL, the fixture certificate, the IdP's key."""
    pem = requests.get(f"{idp.url}/esia/certs/RS256.pem", timeout=5).content
    public_key = x509.load_pem_x509_certificate(pem).public_key()
    key_file = tmp_path / "esia-public-key.pem"
    key_file.write_bytes(
        public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return EsiaSettings(
        esia_client_id="esia-cms",
        redirect_uri=CALLBACK,
        certificate_file=str(FIXTURES_DIR / "esia" / "cms-client.crt.pem"),
        private_key_file=str(FIXTURES_DIR / "esia" / "cms-client.key.pem"),
        esia_service_url=idp.url,
        esia_scope=SCOPE,
        esia_token_check_key=str(key_file),
    )


def person_signs_in(url: str, person: dict, idp_url: str) -> dict[str, str]:
    """The person at the browser: password, SMS code from the outbox, consent; the callback."""
    browser = HttpBrowser(stop_at=(CALLBACK,))
    browser.open(url)
    browser.submit(
        "login-form", {"login": person["login"], "password": person["password"]}, "login-submit"
    )
    code = requests.get(
        f"{idp_url}/_control/sms", params={"phone": person["login"]}, timeout=5
    ).json()[0]["code"]
    browser.submit("sms-form", {"code": code}, "sms-submit")
    browser.submit("consent-form", button="consent-allow")
    assert browser.stopped_at, browser.page.text()
    return {k: v[0] for k, v in parse_qs(urlsplit(browser.stopped_at).query).items()}


def test_login_token_validation_and_person_fetch_unchanged(idp, settings):
    auth = EsiaAuth(settings)
    url = auth.get_auth_url()
    assert urlsplit(url).path == "/aas/oauth2/ac"

    callback = person_signs_in(url, ROSHCHINA, idp.url)
    connector = auth.complete_authorization(callback["code"], callback["state"])

    assert connector.oid == 1000000001
    person = connector.get_person_main_info()
    assert (person["lastName"], person["firstName"], person["middleName"]) == (
        "Рощина",
        "Елизавета",
        "Вадимовна",
    )
    assert person["birthDate"] == "23.04.1990"
    assert person["trusted"] is True
    contacts = connector.get_person_contacts()
    assert {"type": "MBT", "value": "+7(965)1234575"}.items() <= contacts["elements"][0].items()
    documents = connector.get_person_documents()
    assert documents["elements"][0]["type"] == "RF_PASSPORT"
    addresses = connector.get_person_addresses()
    assert addresses["size"] == len(addresses["elements"]) >= 1


def test_the_library_refuses_a_token_signed_by_another_key(idp, settings, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    wrong = tmp_path / "other-key.pem"
    wrong.write_bytes(
        other.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    settings.esia_token_check_key = str(wrong)
    auth = EsiaAuth(settings)
    callback = person_signs_in(auth.get_auth_url(), ROSHCHINA, idp.url)
    with pytest.raises(IncorrectMarkerError):
        auth.complete_authorization(callback["code"], callback["state"])
