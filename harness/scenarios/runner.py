"""`gosuslugi-sandbox run`: run scenario files against private or given stands and report."""

from __future__ import annotations

import argparse
import atexit
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from gosuslugi_sandbox.harness.control import ControlError
from gosuslugi_sandbox.harness.drivers.http_browser import PageError
from gosuslugi_sandbox.harness.drivers.http_driver import HttpDriver
from gosuslugi_sandbox.harness.fixture_data import fixture_passwords

# the step modules add their steps to STEPS when imported
from gosuslugi_sandbox.harness.scenarios import gosuslugi_steps, sferum_steps  # noqa: F401
from gosuslugi_sandbox.harness.scenarios.contact_sheet import write_contact_sheet
from gosuslugi_sandbox.harness.scenarios.context import Context, Stand, StepFailure
from gosuslugi_sandbox.harness.scenarios.html_report import write_html_report
from gosuslugi_sandbox.harness.scenarios.report import ScenarioResult, StepResult, write_junit
from gosuslugi_sandbox.harness.scenarios.runner_options import DEFAULT_PATH
from gosuslugi_sandbox.harness.scenarios.scenario import (
    Scenario,
    ScenarioError,
    discover,
    load_scenarios,
    substitute,
)
from gosuslugi_sandbox.harness.scenarios.screens import StepCamera, scenario_folders
from gosuslugi_sandbox.harness.scenarios.steps import STEPS
from gosuslugi_sandbox.harness.stand import StandPool
from gosuslugi_sandbox.shared.tls import ensure_tls

EXPECTED_ERRORS = (
    StepFailure,
    PageError,
    ControlError,
    ScenarioError,
    AssertionError,
)


def load_all(paths: list[Path], tags: list[str]) -> list[Scenario]:
    """Load and validate every scenario, keeping those whose tags match (-tag excludes)."""
    wanted = {t for t in tags if not t.startswith("-")}
    unwanted = {t[1:] for t in tags if t.startswith("-")}
    scenarios = []
    for path in discover(paths):
        for scenario in load_scenarios(path, set(STEPS)):
            tagset = set(scenario.tags)
            if wanted and not (wanted & tagset):
                continue
            if unwanted & tagset:
                continue
            scenarios.append(scenario)
    return scenarios


def prepare(ctx: Context) -> None:
    """Reset both apps and apply the scenario's starting fixtures."""
    given = ctx.scenario.given
    ctx.idp.reset()
    ctx.rp.reset()
    ctx.variables["passwords"] = fixture_passwords()
    if given.get("clock_offset"):
        STEPS["set_clock"](ctx, given["clock_offset"])
    for person in given.get("persons", []):
        created = ctx.idp.add_person(**person)
        ctx.variables["passwords"][str(created["oid"])] = person.get("password")
    for user in given.get("users", []):
        created = ctx.rp.add_user(**user)
        ctx.variables["passwords"][f"user:{created['id']}"] = user.get("password")
    for fault in given.get("faults", []):
        ctx.idp.arm_fault(**fault)
    if given.get("gosuslugi_person"):
        ctx.variables["person"] = dict(ctx.idp.person(int(given["gosuslugi_person"])))
    if given.get("sferum_user"):
        user = dict(ctx.rp.user(given["sferum_user"]))
        user["password"] = ctx.variables["passwords"].get(f"user:{user['id']}")
        ctx.variables["user"] = user
    ctx.variables.update(substitute(ctx.scenario.variables, ctx.variables))


def run_scenario(
    scenario: Scenario, stand: Stand, make_driver, camera: StepCamera | None = None
) -> ScenarioResult:
    """Run one scenario's steps in order, stopping at the first failure.

    A camera (browser runs) is told before and after every step, to take its pictures.
    """
    result = ScenarioResult(scenario)
    ctx = Context(scenario, stand, make_driver, protocol=scenario.given.get("rp_protocol", "oidc"))
    started = time.perf_counter()
    try:
        prepare(ctx)
        if camera:
            camera.start(ctx)
        for step in scenario.steps:
            t0 = time.perf_counter()
            before = camera.before_step(ctx) if camera else None
            try:
                STEPS[step.action](ctx, substitute(step.arg, ctx.variables))
            except EXPECTED_ERRORS as exc:
                result.steps.append(StepResult(step, False, time.perf_counter() - t0, str(exc)))
                result.error = str(exc)
            else:
                result.steps.append(StepResult(step, True, time.perf_counter() - t0))
            if camera:
                camera.after_step(ctx, result.steps[-1], before)
            if result.error:
                break
    except EXPECTED_ERRORS as exc:
        result.error = f"setting up the scenario failed: {exc}"
    finally:
        if result.error and ctx.drivers:
            driver = ctx.driver
            result.page_url = driver.url
            try:
                result.page_text = driver.text()
            except Exception:  # the page itself may be what is broken
                result.page_text = ""
            result.exchanges = driver.recent_exchanges()
        result.screenshots = list(ctx.screenshots)
        ctx.close()
        result.seconds = time.perf_counter() - started
    return result


def print_result(result: ScenarioResult, lock: threading.Lock, quiet: bool) -> None:
    """Print a scenario's outcome and its steps (only a failing one's steps when quiet)."""
    mark = "SKIP" if result.skipped else "PASS" if result.ok else "FAIL"
    with lock:
        print(f"{mark} {result.scenario.name}  ({result.seconds:.2f} s)  [{result.scenario.path}]")
        if result.skipped:
            print(f"     {result.skipped}")
        if not quiet or not result.ok:
            for s in result.steps:
                ms = f"{s.seconds * 1000:5.0f} ms"
                print(f"     {'ok  ' if s.ok else 'FAIL'} {ms}  {s.step.describe()}")
        if not result.ok:
            print("   " + result.failure_text().replace("\n", "\n   "))
        sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    """Run the selected scenarios and return the exit code (0 only if all pass)."""
    paths = [Path(p) for p in args.paths] or [DEFAULT_PATH]
    tags = [t.strip() for t in (args.tags or "").split(",") if t.strip()]
    try:
        scenarios = load_all(paths, tags)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not scenarios:
        print("error: no scenario matches", file=sys.stderr)
        return 2
    external = bool(args.idp_url or args.rp_url)
    if external and not (args.idp_url and args.rp_url):
        print("error: give both --idp-url and --rp-url, or neither", file=sys.stderr)
        return 2
    if external and args.jobs > 1:
        print(
            "error: -j needs private stands (their data is isolated); drop --idp-url/--rp-url",
            file=sys.stderr,
        )
        return 2
    tls = private_tls(args) if not external else None
    ca_bundle = args.ca_bundle or (str(tls.ca_cert) if tls else None)
    make_driver, thread_done = driver_factory(args, ca_bundle)
    camera = StepCamera(Path(args.screens), scenario_folders(scenarios)) if args.browser else None
    pool = StandPool(tls)
    lock = threading.Lock()

    def stand_for(scenario: Scenario) -> Stand:
        protocol = scenario.given.get("rp_protocol", "oidc")
        if external:
            return Stand(
                args.idp_url, {args.rp_protocol: args.rp_url}, args.control_token, ca_bundle
            )
        return pool.get(protocol)

    def one(scenario: Scenario) -> ScenarioResult:
        needed = scenario.given.get("rp_protocol", "oidc")
        if external and needed != args.rp_protocol:
            reason = (f"skipped: needs a fake Sferum speaking {needed}; --rp-url speaks "
                      f"{args.rp_protocol} (--rp-protocol)")  # fmt: skip
            result = ScenarioResult(scenario, skipped=reason)
            print_result(result, lock, args.quiet)
            return result
        try:
            stand = stand_for(scenario)
        except Exception as exc:  # a stand that cannot start fails its scenarios, readably
            result = ScenarioResult(scenario, error=f"could not start the apps: {exc!r}")
        else:
            result = run_scenario(scenario, stand, make_driver, camera)
        print_result(result, lock, args.quiet)
        return result

    started = time.perf_counter()
    mode = " in Chromium" if args.browser else ""
    print(f"Running {len(scenarios)} scenario(s){mode} with {args.jobs} worker(s)...", flush=True)
    try:
        results = run_in_workers(one, scenarios, max(1, args.jobs), thread_done)
    finally:
        pool.stop()
    failed = [r for r in results if not r.ok]
    skipped = [r for r in results if r.skipped]
    total = time.perf_counter() - started
    passed = len(results) - len(failed) - len(skipped)
    tail = f", {len(skipped)} skipped" if skipped else ""
    print(f"\n{passed} passed, {len(failed)} failed{tail}  ({total:.1f} s)")
    for r in failed:
        print(f"  FAILED {r.scenario.name} [{r.scenario.where}]")
    if args.junit:
        write_junit(results, Path(args.junit))
    report_dir = args.report or ("reports" if args.browser else None)
    if report_dir:
        index = write_html_report(results, Path(report_dir), browser=args.browser)
        print(f"HTML report: {index}")
    sheet = write_contact_sheet(Path(args.screens)) if args.browser else None
    if sheet:
        print(f"Contact sheet (the seed's screens in order): {sheet}")
    return 0 if not failed else 1


def run_in_workers(fn, items: list, jobs: int, thread_done) -> list:
    """fn over items in `jobs` threads, in order; each thread calls thread_done() as it ends.

    (Not a ThreadPoolExecutor: a browser belongs to the thread that started it and must be
    closed there, when that thread has no more scenarios to run.)
    """
    results: list = [None] * len(items)
    errors: list[BaseException] = []
    queue = iter(enumerate(items))
    lock = threading.Lock()

    def worker() -> None:
        try:
            while True:
                with lock:
                    item = next(queue, None)
                if item is None:
                    return
                results[item[0]] = fn(item[1])
        except BaseException as exc:  # re-raised in the caller's thread, like executor.map
            errors.append(exc)
        finally:
            thread_done()

    threads = [threading.Thread(target=worker) for _ in range(min(jobs, len(items)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def private_tls(args: argparse.Namespace):
    """With --tls: a test CA and certificate for the private stands (in a temporary folder
    that lives as long as the process), else None."""
    if not args.tls:
        return None
    folder = tempfile.mkdtemp(prefix="harness-tls-")
    atexit.register(shutil.rmtree, folder, True)
    return ensure_tls(folder)


def driver_factory(args: argparse.Namespace, ca_bundle: str | None = None):
    """(make a fresh driver per named session, what a worker thread calls when it ends);
    ca_bundle: the CA file HTTPS stands are verified with."""
    if args.browser:
        # only with --browser: Playwright's import is slow and HTTP runs never need it
        from gosuslugi_sandbox.harness.drivers.playwright_driver import BrowserPool

        width, _, height = args.viewport.partition("x")
        browsers = BrowserPool(
            (int(width), int(height)), screens_dir=Path(args.screens), trust=ca_bundle
        )
        return browsers.make_driver, browsers.close_thread
    return (lambda _session: HttpDriver(verify=ca_bundle)), (lambda: None)
