"""The checks of the report card: each is pass / fail / not observed, with evidence.

Each check takes a client's recorded requests (oldest first) and returns a result dict:
{id, title: {en, ru}, status, summary, evidence: [{request_id, at, note}]}.
Over 300 lines: the card's checks side by side, in the order the card shows them, so a new
check is written next to the ones it resembles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from gosuslugi_sandbox.idp.faults.registry import MUST_REFUSE

PASS, FAIL, NOT_OBSERVED = "pass", "fail", "not_observed"
STATUSES = (PASS, FAIL, NOT_OBSERVED)
MIN_STATE_BITS = 128
MAX_EVIDENCE = 10

TITLES: dict[str, tuple[str, str]] = {
    "state-present": ("Sends state in every authorization request",
                      "Передаёт state в каждом запросе авторизации"),
    "state-entropy": ("state is unpredictable (>= 128 bits)",
                      "state непредсказуем (не менее 128 бит)"),
    "state-unique": ("state is never repeated", "state не повторяется"),
    "nonce-present": ("Sends a fresh nonce", "Передаёт новый nonce"),
    "pkce-s256": ("Uses PKCE with S256 (not plain)", "Использует PKCE S256 (не plain)"),
    "pkce-fresh": ("A fresh PKCE verifier each time", "Каждый раз новый PKCE verifier"),
    "code-single-use": ("Never reuses an authorization code",
                        "Не использует код авторизации повторно"),
    "code-one-token-call": ("One token request per code", "Один запрос токена на один код"),
    "refresh-single-use": ("Never reuses a refresh token",
                           "Не использует refresh token повторно"),
    "refuses-bad-id-token": ("Refuses a faulty ID token (no userinfo / person call, no retry)",
                             "Отвергает испорченный ID token (не вызывает userinfo / person)"),
    "jwks-refetch-after-rotation": ("Fetches JWKS again after a key rotation",
                                    "Заново получает JWKS после смены ключа"),
    "esia-signature": ("ESIA: signs its requests (signature mode)",
                       "ЕСИА: подписывает запросы (способ подписи)"),
    "esia-timestamp-skew": ("ESIA: timestamp within the allowed skew",
                            "ЕСИА: timestamp в допустимых пределах"),
    "esia-token-state-fresh": ("ESIA: a fresh state in every token request",
                               "ЕСИА: новый state в каждом запросе токена"),
}  # fmt: skip
COMMON = ("state-present", "state-entropy", "state-unique", "code-single-use",
          "code-one-token-call", "refresh-single-use", "refuses-bad-id-token")  # fmt: skip
OIDC_ONLY = ("nonce-present", "pkce-s256", "pkce-fresh", "jwks-refetch-after-rotation")
ESIA_ONLY = ("esia-signature", "esia-timestamp-skew", "esia-token-state-fresh")


class Ctx:
    """A client's requests by kind, plus what is global (JWKS fetches, rotations)."""

    def __init__(self, events, seen, skew: float, iso: Callable[[float], str]) -> None:
        self.events = events
        self.authorize = [e for e in events if e.kind == "authorize"]
        self.tokens = [e for e in events if e.kind == "token"]
        self.resource = [e for e in events if e.kind in ("userinfo", "person")]
        self.seen = seen
        self.skew = skew
        self.iso = iso

    def ev(self, event, note: str) -> dict[str, Any]:
        return {"request_id": event.request_id, "at": self.iso(event.at), "note": note}


def _result(status: str, summary: str, evidence: list[dict]) -> tuple[str, str, list[dict]]:
    return status, summary, evidence[:MAX_EVIDENCE]


def _repeats(ctx: Ctx, events, key: str, what: str):
    """Requests whose data[key] equals an earlier request's."""
    first: dict[str, Any] = {}
    repeated = []
    for e in events:
        value = e.data.get(key)
        if not value:
            continue
        if value in first:
            repeated.append(ctx.ev(e, f"{what} already sent in {first[value].request_id}"))
        else:
            first[value] = e
    return repeated


def state_present(ctx: Ctx):
    if not ctx.authorize:
        return _result(NOT_OBSERVED, "no authorization request seen", [])
    missing = [ctx.ev(e, "no state") for e in ctx.authorize if not e.data.get("state")]
    if missing:
        return _result(FAIL, f"{len(missing)} of {len(ctx.authorize)} without state", missing)
    return _result(PASS, f"state in all {len(ctx.authorize)}",
                   [ctx.ev(e, "state sent") for e in ctx.authorize])  # fmt: skip


def state_entropy(ctx: Ctx):
    sent = [e for e in ctx.authorize if e.data.get("state")]
    if not sent:
        return _result(NOT_OBSERVED, "no state seen", [])
    weak = [e for e in sent if (e.data.get("state_bits") or 0) < MIN_STATE_BITS]
    lowest = min(e.data.get("state_bits") or 0 for e in sent)
    if weak:
        evidence = [ctx.ev(e, f"state about {e.data.get('state_bits')} bits") for e in weak]
        return _result(FAIL, f"{len(weak)} state values under 128 bits", evidence)
    return _result(PASS, f"lowest estimate {lowest} bits",
                   [ctx.ev(e, f"about {e.data.get('state_bits')} bits") for e in sent])  # fmt: skip


def state_unique(ctx: Ctx):
    sent = [e for e in ctx.authorize if e.data.get("state")]
    if not sent:
        return _result(NOT_OBSERVED, "no state seen", [])
    repeated = _repeats(ctx, sent, "state_hash", "state")
    if repeated:
        return _result(FAIL, f"{len(repeated)} repeated state values", repeated)
    return _result(PASS, f"{len(sent)} distinct state values", [])


def nonce_present(ctx: Ctx):
    oidc = [e for e in ctx.authorize if e.dialect == "oidc"]
    if not oidc:
        return _result(NOT_OBSERVED, "no OIDC authorization request seen", [])
    missing = [ctx.ev(e, "no nonce") for e in oidc if not e.data.get("nonce")]
    repeated = _repeats(ctx, oidc, "nonce_hash", "nonce")
    if missing or repeated:
        return _result(FAIL, f"{len(missing)} without nonce, {len(repeated)} repeated",
                       missing + repeated)  # fmt: skip
    return _result(PASS, f"a fresh nonce in all {len(oidc)}", [])


def pkce_s256(ctx: Ctx):
    oidc = [e for e in ctx.authorize if e.dialect == "oidc"]
    if not oidc:
        return _result(NOT_OBSERVED, "no OIDC authorization request seen", [])
    bad = []
    for e in oidc:
        method = e.data.get("pkce")
        if method != "S256":
            note = "no PKCE" if not method else f"{method} (refused by the IdP)"
            bad.append(ctx.ev(e, note))
    if bad:
        return _result(FAIL, f"{len(bad)} of {len(oidc)} without PKCE S256", bad)
    return _result(PASS, f"S256 in all {len(oidc)}", [])


def pkce_fresh(ctx: Ctx):
    with_pkce = [e for e in ctx.authorize if e.data.get("challenge_hash")]
    if not with_pkce:
        return _result(NOT_OBSERVED, "no PKCE seen", [])
    repeated = _repeats(ctx, with_pkce, "challenge_hash", "code_challenge")
    repeated += _repeats(ctx, ctx.tokens, "verifier_hash", "code_verifier")
    if repeated:
        return _result(FAIL, "a PKCE verifier was used again", repeated)
    return _result(PASS, f"{len(with_pkce)} distinct code challenges", [])


def _by_code(ctx: Ctx) -> dict[str, list]:
    groups = defaultdict(list)
    for e in ctx.tokens:
        if e.data.get("code_hash"):
            groups[e.data["code_hash"]].append(e)
    return groups


def code_single_use(ctx: Ctx):
    groups = _by_code(ctx)
    if not groups:
        return _result(NOT_OBSERVED, "no code exchange seen", [])
    reused = []
    for calls in groups.values():
        exchanged = next((e for e in calls if e.status == 200), None)
        for e in calls:
            if exchanged is not None and e.at >= exchanged.at and e is not exchanged:
                note = f"code already exchanged in {exchanged.request_id} (answer {e.status})"
                reused.append(ctx.ev(e, note))
    if reused:
        return _result(FAIL, f"{len(reused)} reuses of an exchanged code", reused)
    return _result(PASS, f"{len(groups)} codes, each exchanged once", [])


def code_one_token_call(ctx: Ctx):
    groups = _by_code(ctx)
    if not groups:
        return _result(NOT_OBSERVED, "no code exchange seen", [])
    extra = [ctx.ev(e, f"token request #{i + 1} for one code (answer {e.status})")
             for calls in groups.values() if len(calls) > 1
             for i, e in enumerate(calls)]  # fmt: skip
    if extra:
        return _result(FAIL, "the token endpoint was called more than once for a code", extra)
    return _result(PASS, f"{len(groups)} codes, one token request each", [])


def refresh_single_use(ctx: Ctx):
    refreshes = [e for e in ctx.tokens if e.data.get("refresh_hash")]
    if not refreshes:
        return _result(NOT_OBSERVED, "no refresh seen", [])
    repeated = _repeats(ctx, refreshes, "refresh_hash", "refresh token")
    if repeated:
        return _result(FAIL, f"{len(repeated)} reuses of a refresh token", repeated)
    return _result(PASS, f"{len(refreshes)} refreshes, each with a new refresh token", [])


def refuses_bad_id_token(ctx: Ctx):
    served = [
        e for e in ctx.tokens if e.status == 200 and set(e.data.get("applied", [])) & MUST_REFUSE
    ]
    if not served:
        return _result(NOT_OBSERVED, "no faulty ID token was served (arm an ID token fault)", [])
    accepted, evidence = [], []
    for bad in served:
        names = ", ".join(sorted(set(bad.data["applied"]) & MUST_REFUSE))
        evidence.append(ctx.ev(bad, f"served an ID token with {names}"))
        for e in ctx.resource:
            if e.at >= bad.at and e.data.get("access_hash") == bad.data.get("issued_access"):
                accepted.append(
                    ctx.ev(e, f"{e.kind} called with the access token of {bad.request_id}")
                )
        for e in ctx.tokens:
            if (
                e.at > bad.at
                and bad.data.get("code_hash")
                and e.data.get("code_hash") == bad.data["code_hash"]
            ):
                accepted.append(ctx.ev(e, f"came back with the code of {bad.request_id}"))
    if accepted:
        return _result(FAIL, "used what came with a faulty ID token", accepted + evidence)
    return _result(PASS, f"{len(served)} faulty ID tokens, none used", evidence)


def jwks_refetch(ctx: Ctx):
    rotations = ctx.seen.rotations
    signed_new = [e for e in ctx.tokens if e.status == 200 and e.data.get("kid") in rotations]
    if not signed_new:
        return _result(NOT_OBSERVED, "no ID token signed with a rotated key was served", [])
    first = signed_new[0]
    rotated_at = rotations[first.data["kid"]]
    fetched = [e for e in ctx.seen.jwks if e.at >= rotated_at]
    evidence = [ctx.ev(first, f"first ID token with the new kid {first.data['kid'][:16]}")]
    if not fetched:
        return _result(FAIL, "no JWKS request after the rotation", evidence)
    return _result(
        PASS, "JWKS fetched after the rotation", [*evidence, ctx.ev(fetched[0], "JWKS fetched")]
    )


def _esia(ctx: Ctx):
    return [e for e in ctx.authorize + ctx.tokens if e.dialect == "esia" and "sig" in e.data]


def esia_signature(ctx: Ctx):
    events = _esia(ctx)
    if not events:
        return _result(NOT_OBSERVED, "no ESIA request seen", [])
    modes = sorted({e.data["sig"] for e in events})
    unsigned = [
        ctx.ev(e, "client_secret is not a CMS or GOST signature")
        for e in events
        if e.data["sig"] == "none"
    ]
    if unsigned:
        return _result(FAIL, f"modes used: {', '.join(modes)}; {len(unsigned)} unsigned", unsigned)
    return _result(
        PASS, f"modes used: {', '.join(modes)}", [ctx.ev(e, e.data["sig"]) for e in events]
    )


def esia_timestamp_skew(ctx: Ctx):
    events = _esia(ctx)
    if not events:
        return _result(NOT_OBSERVED, "no ESIA request seen", [])
    bad = []
    for e in events:
        skew = e.data.get("skew")
        if skew is None or skew > ctx.skew:
            bad.append(ctx.ev(e, "unreadable timestamp" if skew is None else f"skew {skew} s"))
    worst = max((e.data.get("skew") or 0) for e in events)
    if bad:
        return _result(FAIL, f"timestamps off by more than {ctx.skew:g} s", bad)
    return _result(PASS, f"largest skew {worst} s (allowed {ctx.skew:g} s)", [])


def esia_token_state_fresh(ctx: Ctx):
    tokens = [e for e in ctx.tokens if e.dialect == "esia"]
    if not tokens:
        return _result(NOT_OBSERVED, "no ESIA token request seen", [])
    earlier: dict[str, Any] = {}
    bad = []
    for e in ctx.events:
        if e.dialect != "esia" or e.kind not in ("authorize", "token"):
            continue
        value = e.data.get("state_hash")
        if e.kind == "token" and not value:
            bad.append(ctx.ev(e, "no state"))
        elif e.kind == "token" and value in earlier:
            bad.append(ctx.ev(e, f"state already used in {earlier[value].request_id}"))
        if value and value not in earlier:
            earlier[value] = e
    if bad:
        return _result(FAIL, f"{len(bad)} token requests without a fresh state", bad)
    return _result(PASS, f"a fresh state in all {len(tokens)} token requests", [])


CHECKS: dict[str, Callable[[Ctx], tuple]] = {
    "state-present": state_present, "state-entropy": state_entropy,
    "state-unique": state_unique, "nonce-present": nonce_present, "pkce-s256": pkce_s256,
    "pkce-fresh": pkce_fresh, "code-single-use": code_single_use,
    "code-one-token-call": code_one_token_call, "refresh-single-use": refresh_single_use,
    "refuses-bad-id-token": refuses_bad_id_token, "jwks-refetch-after-rotation": jwks_refetch,
    "esia-signature": esia_signature, "esia-timestamp-skew": esia_timestamp_skew,
    "esia-token-state-fresh": esia_token_state_fresh,
}  # fmt: skip


def run(events, dialects: set[str], seen, skew: float, iso) -> list[dict[str, Any]]:
    """Every check that applies to the dialects the client used, in display order."""
    ctx = Ctx(events, seen, skew, iso)
    wanted = [c for c in TITLES if c in COMMON or (c in OIDC_ONLY and "oidc" in dialects)
              or (c in ESIA_ONLY and "esia" in dialects)]  # fmt: skip
    results = []
    for check_id in wanted:
        status, summary, evidence = CHECKS[check_id](ctx)
        en, ru = TITLES[check_id]
        results.append({"id": check_id, "title": {"en": en, "ru": ru}, "status": status,
                        "summary": summary, "evidence": evidence})  # fmt: skip
    return results
