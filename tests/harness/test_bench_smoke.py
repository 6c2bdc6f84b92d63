"""`make bench` cannot rot: a smoke run with tiny counts measures every figure."""

import json
import tempfile

from gosuslugi_sandbox.harness.bench.sandbox import TARGETS, main


def test_bench_smoke_run_reports_every_figure(tmp_path, capsys, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "bench.json"
    assert main(["--smoke", "--no-catalogue", "--out", str(out)]) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    expected = set(TARGETS) - {"catalogue_s"}
    assert expected <= set(results)
    assert results["idp_requests_per_flow"] >= 9  # authorize, login, SMS, consent, token, ...
    assert all(results[key] > 0 for key in expected)
    table = capsys.readouterr().out
    assert "IdP full flow, median" in table
    assert list(scratch.iterdir()) == []  # the apps' databases and keys went with the run
