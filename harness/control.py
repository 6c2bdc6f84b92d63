"""The apps' control APIs as Python methods (used by the runner, the pytest plugin and tests)."""

from __future__ import annotations

from typing import Any

from gosuslugi_sandbox.harness.transport import NoAnswer, Transport


class ControlError(RuntimeError):
    """A control API call failed; the message carries the status and the server's answer."""


class Record(dict):
    """A JSON object whose keys are also attributes (person.phone, client.client_id)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


class _ControlClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = 10.0,
        verify: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # loopback direct: a proxy in the environment never gets the stand's calls
        self.http = Transport(timeout, verify)
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, json: Any = None, params: dict | None = None) -> Any:
        """Send a control request; return the decoded JSON or raise ControlError."""
        if json is None and method.upper() in ("POST", "PUT", "PATCH"):
            json = {}  # the stand takes writes only as JSON (no web form can send them)
        try:
            response = self.http.send(
                method, f"{self.base_url}/_control{path}", params=params, json=json
            )
        except NoAnswer as exc:
            raise ControlError(str(exc)) from exc
        if response.status >= 400:
            raise ControlError(
                f"{method} /_control{path} -> {response.status}: {response.text[:500]}"
            )
        if not response.body:
            return None
        data = response.json()
        if isinstance(data, dict):
            return Record(data)
        if isinstance(data, list):
            return [Record(x) if isinstance(x, dict) else x for x in data]
        return data

    def health(self) -> Any:
        """GET /_control/health."""
        return self.call("GET", "/health")

    def reset(self) -> Any:
        """Back to fixtures."""
        return self.call("POST", "/reset")


class GosuslugiControl(_ControlClient):
    """The fake Gosuslugi's control API: persons, SMS outbox, clients, clock, faults, reports."""

    def persons(self) -> list[Record]:
        """Every person."""
        return self.call("GET", "/persons")

    def person(self, oid: int) -> Record:
        """One person."""
        return self.call("GET", f"/persons/{oid}")

    def add_person(self, **fields: Any) -> Record:
        """Create a person (fields as in fixtures/persons.yaml) and return it."""
        return self.call("POST", "/persons", json=fields)

    def update_person(self, oid: int, **fields: Any) -> Record:
        """Change a person's fields."""
        return self.call("PUT", f"/persons/{oid}", json=fields)

    def delete_person(self, oid: int) -> None:
        """Remove a person."""
        self.call("DELETE", f"/persons/{oid}")

    def sms_messages(self, phone: str) -> list[Record]:
        """SMS sent to a phone (any spelling), newest first."""
        return self.call("GET", "/sms", params={"phone": phone})

    def sms_code(self, phone: str) -> str:
        """The newest SMS code sent to a phone."""
        messages = self.sms_messages(phone)
        if not messages:
            raise ControlError(f"no SMS was sent to {phone}")
        return messages[0]["code"]

    def emails(self, address: str) -> list[Record]:
        """Letters sent to an e-mail address (any case), newest first."""
        return self.call("GET", "/email", params={"address": address})

    def email_code(self, address: str) -> str:
        """The code of the newest letter sent to an address."""
        letters = self.emails(address)
        if not letters:
            raise ControlError(f"no letter was sent to {address}")
        return letters[0]["code"]

    def clients(self) -> list[Record]:
        """Every registered client."""
        return self.call("GET", "/clients")

    def client(self, client_id: str) -> Record:
        """One client's metadata."""
        return self.call("GET", f"/clients/{client_id}")

    def add_client(self, **metadata: Any) -> Record:
        """Register a client (RFC 7591 metadata)."""
        return self.call("POST", "/clients", json=metadata)

    def update_client(self, client_id: str, **metadata: Any) -> Record:
        """Replace a client's metadata."""
        return self.call("PUT", f"/clients/{client_id}", json=metadata)

    def delete_client(self, client_id: str) -> None:
        """Remove a client."""
        self.call("DELETE", f"/clients/{client_id}")

    def set_clock(self, offset_seconds: float) -> Any:
        """Move the IdP's clock by offset_seconds from real time."""
        return self.call("POST", "/clock", json={"offset_seconds": offset_seconds})

    def arm_fault(
        self, fault: str, client_id: str | None = None, times: int | None = None, **params
    ):
        """Arm a misbehaviour for the next `times` (1) matching responses, or a person fault
        (a field given as None is left out, as a scenario case without it means)."""
        body: dict[str, Any] = {"fault": fault}
        body.update({name: value for name, value in params.items() if value is not None})
        if times is not None:
            body["times"] = times
        if client_id:
            body["client_id"] = client_id
        return self.call("POST", "/faults", json=body)

    def faults(self) -> Any:
        """The armed faults."""
        return self.call("GET", "/faults")

    def clear_faults(self) -> None:
        """Disarm every fault."""
        self.call("DELETE", "/faults")

    def report(self, client_id: str) -> Any:
        """The report card of a relying party."""
        return self.call("GET", f"/clients/{client_id}/report")


class SferumControl(_ControlClient):
    """The fake Sferum's control API: users, outbox, events."""

    def users(self) -> list[Record]:
        """Every user."""
        return self.call("GET", "/users")

    def user(self, user_id: int) -> Record:
        """One user."""
        return self.call("GET", f"/users/{user_id}")

    def add_user(self, **fields: Any) -> Record:
        """Create a user (fields as in fixtures/sferum.yaml)."""
        return self.call("POST", "/users", json=fields)

    def outbox(self, address: str | None = None) -> list[Record]:
        """Messages the RP sent (password reset codes), newest first."""
        return self.call("GET", "/outbox", params={"address": address} if address else None)

    def events(self) -> list[Record]:
        """The log of link/sync/unlink/login actions."""
        return self.call("GET", "/events")
