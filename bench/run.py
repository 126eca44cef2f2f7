"""``make bench``: the services, with and without their read cache, against the monolith
they replace, in one run.

    .venv/bin/python -m bench.run                                # 10k articles, 10 s a scenario (about 16 minutes with growth)
    .venv/bin/python -m bench.run --articles 1000 --duration 3   # a quick run, about 6 minutes
    .venv/bin/python -m bench.run --growth-sizes 1000,100000     # also list p50 at 1k vs 100k

What it does:

1. makes two fresh SQLite databases in a work folder, migrates them and seeds
   them (``bench/seed_data.py``);
2. starts the services stack on them (``tests/support/stack.py``: its own RabbitMQ
   vhost, free ports; storage, users, blog, gateway, frontend as processes)
   and the monolith (``bench/monolith.py``) on the same files, with the
   gateway's gunicorn settings (``gateway/gunicorn.conf.py``), and a second
   gateway and frontend on the same stack with ``READ_CACHE_SECONDS=0``: three
   systems, "cached" (the stack's own web apps), "uncached" and "monolith";
3. signs the seeded reader in through the gateway (the monolith accepts the
   same token);
4. for every scenario and connection count, runs ``wrk`` (a separate process,
   ``bench/wrk/scenario.lua``) against each system in turn, the order
   rotating, and reads each process's CPU time from ``/proc`` around
   the run; writes are counted in the database before and after, and every
   acknowledged write must be there;
5. profiles the list load with py-spy (``record`` on storage, blog, users and
   the gateway under the uncached load, ``dump`` of storage and blog in the
   middle; the cached gateway's worker and the monolith's too);
6. with ``--growth-sizes``, measures list p50 at one connection on fresh data
   sets of each size;
7. prints the table and writes ``docs/PERFORMANCE.md`` and, beside it, the profiler's
   tables in ``docs/performance-profiles.md`` (``bench/document.py``, from the templates
   in ``bench/templates/``; the page keeps its hand-written findings between
   ``<!-- findings -->`` markers).

Only 127.0.0.1 is loaded, and every wrk run is bounded by ``--duration``.
"""

import argparse
import datetime
import json
import logging
import os
import platform
import runpy
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import func, select

from bench import document, results
from bench.seed_data import seed
from bench.service_code import PROJECT_ROOT, Article, Comment, database_engine
from tests.support.stack import Stack, free_port

WRK_SCRIPT = PROJECT_ROOT / "bench" / "wrk" / "scenario.lua"
DOC_PATH = PROJECT_ROOT / "docs" / "PERFORMANCE.md"
PROFILE_DIR = PROJECT_ROOT / "var" / "bench"
SYSTEMS = ("cached", "uncached", "monolith")
"""The services with the web apps' read cache (the stack's own gateway and frontend), the
same services through a second gateway and frontend whose cache is off
(``READ_CACHE_SECONDS=0``), and the monolith."""
SERVICES = ("storage", "users", "blog")
SERVICE_PROCESSES = (*SERVICES, "gateway", "frontend")
WEB_APPS = ("gateway", "frontend")


def scenarios(hot_slugs):
    """Every scenario: what is requested, on the API or the HTML pages, signed in or not."""
    slugs = hot_slugs[:100]
    return {
        "list": {"paths": ["/api/articles?limit=20"]},
        "list-signed-in": {"paths": ["/api/articles?limit=20"], "auth": True},
        "article": {"paths": [f"/api/articles/{slug}" for slug in slugs]},
        "comments": {"paths": [f"/api/articles/{slug}/comments" for slug in slugs]},
        "tags": {"paths": ["/api/tags"]},
        "feed": {"paths": ["/api/articles/feed?limit=20"], "auth": True},
        "home-page": {"paths": ["/"], "page": True},
        "article-page": {"paths": [f"/article/{slug}" for slug in slugs], "page": True},
        "create-article": {"paths": ["/api/articles"], "auth": True, "write": "article"},
        "add-comment": {
            "paths": [f"/api/articles/{slug}/comments" for slug in slugs],
            "auth": True,
            "write": "comment",
        },
    }


# -- processes -----------------------------------------------------------------------


def gateway_server_settings():
    """``worker_class``, ``workers`` and ``threads`` of ``gateway/gunicorn.conf.py``."""
    settings = runpy.run_path(str(PROJECT_ROOT / "gateway" / "gunicorn.conf.py"))
    return {key: settings[key] for key in ("worker_class", "workers", "threads")}


class Monolith:
    """``bench/monolith.py`` under gunicorn, on the stack's databases and secret."""

    def __init__(self, env, workdir, settings):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "-k",
            settings["worker_class"],
            "-w",
            str(settings["workers"]),
            "--threads",
            str(settings["threads"]),
            "-b",
            f"127.0.0.1:{self.port}",
            "--graceful-timeout",
            "5",
            "bench.monolith:create_app()",
        ]
        self.log = open(Path(workdir) / "monolith.log", "ab")
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(self.url + "/api/tags", timeout=5).raise_for_status()
                return
            except requests.RequestException:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the monolith did not start: see monolith.log") from None
                time.sleep(0.3)

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


class UncachedWeb:
    """A second gateway and frontend on the stack (same vhost, databases, secret and
    gunicorn settings as the stack's own), started with ``READ_CACHE_SECONDS=0``."""

    def __init__(self, stack):
        self.stack = stack
        self.ports = {name: free_port() for name in WEB_APPS}
        self.urls = {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()}
        self.processes, self.logs = {}, {}
        env = {**stack.env, "READ_CACHE_SECONDS": "0"}
        for name in WEB_APPS:
            command = stack.command(name)
            command[command.index("-b") + 1] = f"127.0.0.1:{self.ports[name]}"
            self.logs[name] = open(self.log_path(name), "ab")
            self.processes[name] = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env={**env, f"{name.upper()}_PORT": str(self.ports[name])},
                stdout=self.logs[name],
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        for name in WEB_APPS:
            stack._wait(name, lambda url=self.urls[name]: requests.get(url + "/", timeout=10))

    def log_path(self, name):
        return self.stack.workdir / f"{name}-nocache.log"

    def stop(self):
        for name, process in self.processes.items():
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            self.logs[name].close()


def descendants(pid):
    """``pid`` and every process below it (gunicorn's master and its workers)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue += children.get(current, [])
    return found


def broker_pids():
    """The machine's RabbitMQ (its Erlang VM, shared with everything else on this machine);
    brokers in containers (another PID namespace) are not it."""
    own_namespace = os.readlink("/proc/self/ns/pid")
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "beam.smp" and os.readlink(
                    entry / "ns" / "pid"
                ) == own_namespace:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def cpu_seconds(pids):
    """``{pid: user + system CPU seconds}`` of the processes that still exist."""
    ticks = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        times[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return times


def cpu_used(before, after):
    """CPU seconds between two ``cpu_seconds`` readings, over the processes in both."""
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


class Systems:
    """The three systems running on the same databases, and what a scenario needs of each."""

    def __init__(self, stack, uncached, monolith):
        self.stack, self.uncached, self.monolith = stack, uncached, monolith

    def url(self, system, scenario):
        if system == "monolith":
            return self.monolith.url
        app = "frontend" if scenario.get("page") else "gateway"
        if system == "uncached":
            return self.uncached.urls[app]
        return self.stack.frontend_url if app == "frontend" else self.stack.gateway_url

    def web_process(self, system, app):
        return (self.uncached.processes if system == "uncached" else self.stack.processes)[app]

    def processes(self, system):
        """Process name -> pids whose CPU time a run of ``system`` is charged with: the
        services, the variant's own gateway and frontend, the broker."""
        if system == "monolith":
            return {"monolith": descendants(self.monolith.process.pid)}
        named = {name: descendants(self.stack.processes[name].pid) for name in SERVICES}
        for app in WEB_APPS:
            named[app] = descendants(self.web_process(system, app).pid)
        named["rabbitmq (shared)"] = broker_pids()
        return named

    def service_logs(self, system):
        """The services' log files, whose ``rpc.access`` lines count the RPC calls."""
        if system == "monolith":
            return []
        return [self.stack.workdir / f"{name}.log" for name in ("storage", "users", "blog")]

    def all_logs(self):
        """Every process's log: services and web apps write one line per request."""
        return [self.stack.workdir / f"{name}.log" for name in (*SERVICE_PROCESSES, "monolith")] + [
            self.uncached.log_path(app) for app in WEB_APPS
        ]

    def worker_pid(self, system):
        """The process that serves HTTP: gunicorn's (first) worker."""
        process = (
            self.monolith.process if system == "monolith" else self.web_process(system, "gateway")
        )
        tree = descendants(process.pid)
        return tree[1] if len(tree) > 1 else tree[0]


# -- one wrk run -----------------------------------------------------------------------


def run_wrk(url, scenario, connections, duration, token, run_tag):
    env = {
        **os.environ,
        "BENCH_PATHS": " ".join(scenario["paths"]),
        "BENCH_TOKEN": token if scenario.get("auth") else "",
        "BENCH_WRITE": scenario.get("write", ""),
        "BENCH_RUN": run_tag,
    }
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "15s",
        "-s",
        str(WRK_SCRIPT),
        url,
    ]
    finished = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=duration + 60
    )
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed: {finished.stderr}")
    return results.parse_wrk(finished.stdout)


def table_count(blog_uri, write):
    model = Article if write == "article" else Comment
    engine = database_engine(blog_uri)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model))
    finally:
        engine.dispose()


def settle(systems, quiet_seconds=1.5, limit_seconds=30):
    """Wait until no process writes to its log any more: requests that wrk abandoned at
    the end of the previous run (queued RPCs) have finished, and do not count in the next."""
    logs = systems.all_logs()
    sizes = None
    quiet_since = started = time.monotonic()
    while time.monotonic() - started < limit_seconds:
        current = [path.stat().st_size if path.exists() else 0 for path in logs]
        if current != sizes:
            sizes, quiet_since = current, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_seconds:
            return
        time.sleep(0.25)


def measure(systems, system, name, scenario, connections, duration, token, blog_uri):
    """One wrk run with CPU accounting and, for writes, the lost-write check."""
    write = scenario.get("write")
    settle(systems)
    before = table_count(blog_uri, write) if write else None
    processes = systems.processes(system)
    cpu_before = {process: cpu_seconds(pids) for process, pids in processes.items()}
    log_offsets = {path: path.stat().st_size for path in systems.service_logs(system)}
    run_tag = f"{system}-{name}-c{connections}-{time.time_ns()}"
    result = run_wrk(systems.url(system, scenario), scenario, connections, duration, token, run_tag)
    cpu = {
        process: cpu_used(cpu_before[process], cpu_seconds(pids))
        for process, pids in processes.items()
    }
    calls = {}
    for path, offset in log_offsets.items():
        with open(path, errors="replace") as log:
            log.seek(offset)
            calls.update(results.rpc_calls(log.read()))
    item = {
        "scenario": name,
        "connections": connections,
        "system": system,
        "result": result,
        "cpu": {
            "scenario": name,
            "connections": connections,
            "system": system,
            "requests": result["requests"],
            "cpu_seconds": cpu,
        },
    }
    if log_offsets:
        item["rpc"] = {
            "scenario": name,
            "connections": connections,
            "system": system,
            "hops": results.rpc_hops(calls, result["requests"]),
        }
    if write:
        settle(systems)  # a request wrk gave up on at the end may still commit
        after = table_count(blog_uri, write)
        item["writes"] = {
            "acked": result["acked"],
            "rows_added": after - before,
            "lost": results.lost_writes(result["acked"], before, after),
        }
    print(
        f"  {system:8} {name:15} c={connections:<3} {result['rps']:8.1f} req/s "
        f"p50 {result['p50_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms"
        + (f"  errors {result['errors']}" if result["errors"] else "")
        + (
            f"  acked {item['writes']['acked']} rows +{item['writes']['rows_added']}"
            f" lost {item['writes']['lost']}"
            if write
            else ""
        ),
        flush=True,
    )
    return item


# -- setting up a data set and both systems ------------------------------------------------


class Environment:
    """A work folder with seeded databases, the stack and the monolith running on them."""

    def __init__(self, articles, workdir, settings):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.users_uri = f"sqlite:///{self.workdir / 'users.db'}"
        self.blog_uri = f"sqlite:///{self.workdir / 'blog.db'}"
        self.stack = Stack(
            self.workdir, users_db_uri=self.users_uri, blog_db_uri=self.blog_uri, rpc_timeout=10
        )
        self.stack.run_migrations()
        started = time.monotonic()
        self.summary = seed(self.users_uri, self.blog_uri, articles)
        self.seed_seconds = time.monotonic() - started
        print(f"seeded {articles} articles in {self.seed_seconds:.0f} s", flush=True)
        self.monolith = self.uncached = None
        try:
            self.stack.start_all()
            self.uncached = UncachedWeb(self.stack)
            self.monolith = Monolith(self.stack.env, self.workdir, settings)
            self.token = self._sign_in()
        except BaseException:
            self.stop()
            raise
        self.systems = Systems(self.stack, self.uncached, self.monolith)

    def _sign_in(self):
        reader = self.summary["reader"]
        answer = requests.post(
            self.stack.gateway_url + "/api/users/login",
            json={"user": {"email": reader["email"], "password": reader["password"]}},
            timeout=30,
        )
        answer.raise_for_status()
        token = answer.json()["user"]["token"]
        check = requests.get(
            self.monolith.url + "/api/articles/feed?limit=1",
            headers={"Authorization": f"Token {token}"},
            timeout=10,
        )
        check.raise_for_status()  # the monolith accepts the users service's token
        return token

    def warm_up(self, scenario_set):
        """A few requests per read scenario and system before anything is timed."""
        session = requests.Session()
        for scenario in scenario_set.values():
            if scenario.get("write"):
                continue
            headers = {"Authorization": f"Token {self.token}"} if scenario.get("auth") else {}
            for system in SYSTEMS:
                for path in scenario["paths"][:10]:
                    url = self.systems.url(system, scenario) + path
                    session.get(url, headers=headers, timeout=30).raise_for_status()

    def stop(self):
        if self.monolith is not None:
            self.monolith.stop()
        if self.uncached is not None:
            self.uncached.stop()
        self.stack.stop_all()


# -- profile -----------------------------------------------------------------------------


def py_spy():
    return str(Path(sys.executable).parent / "py-spy")


def profile_list_load(env, scenario, seconds, out_dir):
    """py-spy on each process while the list is loaded at 16 connections, per system: the
    services without the cache (every request reaches them), the gateway worker of the
    cached variant, the monolith's worker."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profiles, dumps, loads = {}, {}, {}
    targets = {
        "uncached": {name: env.stack.processes[name].pid for name in ("storage", "blog", "users")},
        "cached": {},
        "monolith": {},
    }
    for system in SYSTEMS:
        name = "monolith" if system == "monolith" else f"gateway, {system}"
        targets[system][f"{name} (worker)"] = env.systems.worker_pid(system)
    for system, pids in targets.items():
        recorders = {}
        for name, pid in pids.items():
            path = out_dir / f"{system}-{name.split()[0].rstrip(',')}.txt"
            recorders[name] = (
                path,
                subprocess.Popen(
                    [
                        py_spy(),
                        "record",
                        "--pid",
                        str(pid),
                        "--format",
                        "raw",
                        "--nonblocking",
                        "--gil",
                        "--rate",
                        "100",
                        "--duration",
                        str(max(1, seconds - 1)),
                        "--output",
                        str(path),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                ),
            )
        load = {}
        loader = threading.Thread(
            target=lambda load=load, system=system: load.update(
                run_wrk(
                    env.systems.url(system, scenario), scenario, 16, seconds, env.token, "profile"
                )
            )
        )
        loader.start()
        time.sleep(seconds / 2)
        if system == "uncached":
            for name in ("storage", "blog"):
                dumped = subprocess.run(
                    [py_spy(), "dump", "--pid", str(pids[name])],
                    capture_output=True,
                    text=True,
                    timeout=30,
                )
                dumps[name] = dumped.stdout.strip() or dumped.stderr.strip()
        loader.join()
        loads[system] = load
        for name, (path, process) in recorders.items():
            _, error = process.communicate(timeout=seconds + 30)
            raw = path.read_text() if path.exists() else ""
            label = (
                name
                if system != "uncached" or name.startswith("gateway")
                else f"{name} (no-cache load)"
            )
            profiles[label] = results.summarize_profile(raw)
            if not raw:
                print(f"py-spy recorded nothing for {name}: {error.decode()[-300:]}")
    return {"profiles": profiles, "dumps": dumps, "loads": loads}


# -- the machine, for the document ----------------------------------------------------------


def machine_facts():
    def first(path, key):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    def output(command):
        try:
            return (
                subprocess.run(command, capture_output=True, text=True, timeout=10)
                .stdout.strip()
                .splitlines()[0]
            )
        except (OSError, IndexError, subprocess.SubprocessError):
            return "?"

    try:
        broker = (
            requests.get("http://guest:guest@127.0.0.1:15672/api/overview", timeout=5)
            .json()
            .get("rabbitmq_version", "?")
        )
    except (requests.RequestException, ValueError):
        broker = "?"
    memory_kb = first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cpu": first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory": f"{int(memory_kb) / 1024 / 1024:.0f} GiB" if memory_kb.isdigit() else "?",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "rabbitmq": broker,
        "wrk": output(["wrk", "--version"]).split(" Copyright")[0],
        "commit": output(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"]),
        "load": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


# -- main ------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Benchmark the services against the monolith.")
    parser.add_argument("--articles", type=int, default=10000, help="size of the data set")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", default="1,16", help="comma-separated connection counts")
    parser.add_argument("--scenarios", default="all", help="comma-separated scenario names, or all")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="runs per scenario and system (the median is reported)",
    )
    parser.add_argument(
        "--profile-seconds",
        type=int,
        default=10,
        help="seconds of py-spy per system on the list load (0: no profile)",
    )
    parser.add_argument(
        "--growth-sizes",
        default="",
        help="e.g. 1000,100000: list p50 at 1 connection on each data set size",
    )
    parser.add_argument(
        "--output",
        default=str(DOC_PATH),
        help="the Markdown page to write, the profiles beside it (empty: none)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, dbs)")
    args = parser.parse_args(argv)
    args.connections = [int(value) for value in args.connections.split(",")]
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.getLogger("amqp").setLevel(logging.ERROR)  # "Received method ... during closing"
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (make bench does it)")
    run = {
        "args": args,
        "measurements": [],
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv),
        "load_before": " ".join(f"{value:.2f}" for value in os.getloadavg()),
        "server": gateway_server_settings(),
    }
    workroot = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        env = Environment(args.articles, workroot / "main", run["server"])
        try:
            run["summary"], run["seed_seconds"] = env.summary, env.seed_seconds
            scenario_set = scenarios(env.summary["hot_slugs"])
            if args.scenarios != "all":
                scenario_set = {name: scenario_set[name] for name in args.scenarios.split(",")}
            env.warm_up(scenario_set)
            turn = 0
            for name, scenario in scenario_set.items():
                for connections in args.connections:
                    for _ in range(args.rounds):
                        order = SYSTEMS[turn % 3 :] + SYSTEMS[: turn % 3]
                        turn += 1
                        for system in order:
                            run["measurements"].append(
                                measure(
                                    env.systems,
                                    system,
                                    name,
                                    scenario,
                                    connections,
                                    args.duration,
                                    env.token,
                                    env.blog_uri,
                                )
                            )
            if args.profile_seconds > 0:
                print("profiling the list load with py-spy...", flush=True)
                run["profile"] = profile_list_load(
                    env,
                    scenario_set.get("list", scenarios(env.summary["hot_slugs"])["list"]),
                    args.profile_seconds,
                    PROFILE_DIR,
                )
        finally:
            env.stop()
        if args.growth_sizes:
            run["growth"] = {}
            for size in [int(value) for value in args.growth_sizes.split(",")]:
                growth_env = Environment(size, workroot / f"growth-{size}", run["server"])
                try:
                    list_scenario = scenarios(growth_env.summary["hot_slugs"])["list"]
                    growth_env.warm_up({"list": list_scenario})
                    run["growth"][size] = {
                        system: measure(
                            growth_env.systems,
                            system,
                            f"list@{size}",
                            list_scenario,
                            1,
                            args.duration,
                            growth_env.token,
                            growth_env.blog_uri,
                        )["result"]
                        for system in SYSTEMS
                    }
                finally:
                    growth_env.stop()
    finally:
        if args.keep:
            print(f"work folder kept: {workroot}")
        else:
            shutil.rmtree(workroot, ignore_errors=True)
    run["machine"] = machine_facts()
    rows = results.comparison_rows(run["measurements"])
    print()
    print(results.console_table(rows))
    lost = sum(item["writes"]["lost"] for item in run["measurements"] if "writes" in item)
    print(f"\nacknowledged writes lost: {lost}")
    if args.output:
        for path in document.write_documents(args.output, run):
            print(f"written: {path}")
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    (PROFILE_DIR / "last-run.json").write_text(
        json.dumps(
            {key: value for key, value in run.items() if key != "args"}, indent=2, default=str
        )
    )
    if lost:
        sys.exit(f"{lost} acknowledged writes are missing from the database")


if __name__ == "__main__":
    main()
