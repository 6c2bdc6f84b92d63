"""The dialects the fake Sferum speaks to Gosuslugi, chosen by RP_PROTOCOL."""

from __future__ import annotations

from collections.abc import Mapping

from gosuslugi_sandbox.relying_party.config import Settings
from gosuslugi_sandbox.relying_party.gosuslugi.protocols import GosuslugiTrip


def build_protocol(config: Mapping) -> GosuslugiTrip:
    """The protocol named by PROTOCOL (oidc or esia); fail fast on anything else."""
    name = Settings.from_config(config).protocol
    # Only the dialect in use is imported: the other's libraries would slow every start.
    if name == "oidc":
        from gosuslugi_sandbox.relying_party.gosuslugi.oidc import OidcProtocol  # see above

        return OidcProtocol()
    if name == "esia":
        from gosuslugi_sandbox.relying_party.gosuslugi.esia import EsiaProtocol  # see above

        return EsiaProtocol(config)
    raise ValueError(f"RP_PROTOCOL={name!r} is unknown; use oidc or esia")
