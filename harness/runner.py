"""`python -m harness run`: run scenario files against private or given stands and report."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import requests

from harness.context import Context, Stand, StepFailure
from harness.control import ControlError
from harness.drivers.http import PageError
from harness.fixture_data import fixture_passwords
from harness.html_report import write_html_report
from harness.report import ScenarioResult, StepResult, write_junit
from harness.scenario import Scenario, ScenarioError, discover, load_scenarios, substitute
from harness.screens import StepCamera, scenario_folders
from harness.steps import STEPS
from shared.config import FIXTURES_DIR

DEFAULT_PATH = FIXTURES_DIR / "scenarios"
EXPECTED_ERRORS = (
    StepFailure,
    PageError,
    ControlError,
    ScenarioError,
    AssertionError,
    requests.RequestException,
)


def load_all(paths: list[Path], tags: list[str]) -> list[Scenario]:
    """Load and validate every scenario, keeping those whose tags match (-tag excludes)."""
    import harness.sferum_steps  # noqa: F401  (registers the fake Sferum's steps)

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


class StandPool:
    """Private stands, one per worker thread and protocol, started on first use."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._all = []
        self._lock = threading.Lock()

    def get(self, protocol: str) -> Stand:
        """This thread's stand for the protocol."""
        from harness.stand import LocalStand

        stands = getattr(self._local, "stands", None)
        if stands is None:
            stands = self._local.stands = {}
        if protocol not in stands:
            local = LocalStand(protocol)
            stands[protocol] = local.start()
            with self._lock:
                self._all.append(local)
        return stands[protocol]

    def stop(self) -> None:
        """Stop every stand started."""
        for local in self._all:
            local.stop()


def print_result(result: ScenarioResult, lock: threading.Lock, quiet: bool) -> None:
    """Print a scenario's outcome and its steps (only a failing one's steps when quiet)."""
    mark = "PASS" if result.ok else "FAIL"
    with lock:
        print(f"{mark} {result.scenario.name}  ({result.seconds:.2f} s)  [{result.scenario.path}]")
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
    make_driver, thread_done = driver_factory(args)
    camera = StepCamera(Path(args.screens), scenario_folders(scenarios)) if args.browser else None
    pool = StandPool()
    lock = threading.Lock()

    def stand_for(scenario: Scenario) -> Stand:
        protocol = scenario.given.get("rp_protocol", "oidc")
        if external:
            return Stand(args.idp_url, {args.rp_protocol: args.rp_url}, args.control_token)
        return pool.get(protocol)

    def one(scenario: Scenario) -> ScenarioResult:
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
    total = time.perf_counter() - started
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed  ({total:.1f} s)")
    for r in failed:
        print(f"  FAILED {r.scenario.name} [{r.scenario.where}]")
    if args.junit:
        write_junit(results, Path(args.junit))
    report_dir = args.report or ("reports" if args.browser else None)
    if report_dir:
        index = write_html_report(results, Path(report_dir), browser=args.browser)
        print(f"HTML report: {index}")
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


def driver_factory(args: argparse.Namespace):
    """(make a fresh driver per named session, what a worker thread calls when it ends)."""
    if args.browser:
        from harness.drivers.browser import BrowserPool

        width, _, height = args.viewport.partition("x")
        browsers = BrowserPool((int(width), int(height)), screens_dir=Path(args.screens))
        return browsers.make_driver, browsers.close_thread
    from harness.drivers.http_driver import HttpDriver

    return (lambda _session: HttpDriver()), (lambda: None)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `run` command's options."""
    parser.add_argument(
        "paths", nargs="*", help=f"scenario files or folders (default {DEFAULT_PATH})"
    )
    parser.add_argument("--tags", help="comma-separated tags to run; -tag excludes")
    parser.add_argument("--idp-url", help="run against this running fake Gosuslugi")
    parser.add_argument("--rp-url", help="run against this running fake Sferum")
    parser.add_argument(
        "--rp-protocol",
        default="oidc",
        choices=["oidc", "esia", "esia-gost"],
        help="the protocol the given --rp-url speaks",
    )
    parser.add_argument("--control-token", help="bearer token of the control APIs")
    parser.add_argument("--junit", help="write JUnit XML here")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="scenarios run in parallel")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print only each scenario's outcome"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print every step (the default)"
    )
    parser.add_argument(
        "--browser",
        action="store_true",
        help="run in headless Chromium (Playwright), with a screenshot after every page change",
    )
    parser.add_argument(
        "--screens",
        default="reports/screens",
        help="where browser runs save screenshots (default reports/screens)",
    )
    parser.add_argument(
        "--viewport",
        default="1280x800",
        type=_viewport,
        help="browser window WIDTHxHEIGHT (default 1280x800; a phone: 390x844)",
    )
    parser.add_argument(
        "--report",
        help="write an HTML report (index.html with steps and screenshots) to this folder; "
        "browser runs default to reports/",
    )


def _viewport(text: str) -> str:
    """Check a WIDTHxHEIGHT option value."""
    width, _, height = text.partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0):
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 390x844, not {text!r}")
    return text
