"""The IdP code flow keeps its SQL budget (docs/performance.md, "43 → 30 statements per flow").

The counts are deterministic: SQLAlchemy's engine events count what each endpoint executes
during one full flow (the third, after two warm-ups), as `scripts/sql_per_flow.py` prints.
"""

from __future__ import annotations

from collections import Counter

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

from gosuslugi_sandbox.harness.bench.flows import IdpFlow, register_bench_client
from gosuslugi_sandbox.idp.faults.hooks import preload
from tests.idp.conftest import ROSHCHINA, ROSHCHINA_PHONE

# per endpoint: what the guarantees and the page need (see the table in docs/performance.md)
BUDGET = {
    "GET oidc.authorize": 3,  # client (+ nonce check, stand state), interaction, report row
    "GET login.login": 1,  # with DEV's list of test persons
    "POST login.login": 7,
    "GET login.sms": 1,  # with the SMS block and the resend time
    "POST login.sms": 5,
    "GET login.consent": 1,
    "POST login.consent": 1,  # the decision is one conditional UPDATE
    "GET oidc.resume": 4,
    "POST oidc.token": 4,
    "GET oidc.userinfo": 2,
    "GET control.sms": 1,
}


def test_one_code_flow_runs_within_its_statement_budget(idp_app, idp_server):
    statements: Counter[str] = Counter()
    counting = [False]

    @event.listens_for(idp_app.extensions["idp"].db.engine, "before_cursor_execute")
    def _count(*_args):
        if counting[0] and has_request_context():
            statements[f"{request.method} {request.endpoint}"] += 1

    register_bench_client(idp_server.url)
    person = {"mobile": ROSHCHINA_PHONE, "password": ROSHCHINA["password"]}
    flow = IdpFlow(idp_server.url, "bench", "bench-secret", person)
    try:
        flow.run()
        flow.run()
        counting[0] = True
        flow.run()
    finally:
        flow.close()
    over = {k: (v, BUDGET.get(k, 0)) for k, v in statements.items() if v > BUDGET.get(k, 0)}
    assert over == {}, f"over budget (statements, budget): {over}"
    assert sum(statements.values()) <= sum(BUDGET.values())


def test_a_preload_the_database_refuses_leaves_the_stand_state_to_its_own_read(idp_app):
    def refused() -> tuple:
        raise SQLAlchemyError("refused")  # as PostgreSQL refuses a NUL in text

    preload(idp_app, "oidc.authorize", refused)
    client = idp_app.test_client()
    armed = client.post("/_control/faults", json={"fault": "http-503", "endpoint": "authorize"})
    assert armed.status_code == 201, armed.get_data(as_text=True)
    query = {"response_type": "code", "client_id": "demo-es256", "scope": "openid",
             "redirect_uri": "http://127.0.0.1:5555/callback"}  # fmt: skip
    assert client.get("/authorize", query_string=query).status_code == 503  # the fault was read
    answer = client.get("/authorize", query_string=query)  # its one use is gone: the view answers
    assert answer.status_code == 302 and "/login?interaction=" in answer.location
