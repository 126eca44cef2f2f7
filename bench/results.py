"""The benchmark's pure parts: reading wrk's output and py-spy's profiles, and the tables.

No I/O here (``bench/run.py`` starts the systems and runs wrk), so the unit
tests can check the parsing and the arithmetic on fixed text.
"""

import json
import re
from collections import Counter

RESULT_PREFIX = "BENCH_RESULT "
PROJECT_PACKAGES = (
    "common",
    "rpc_client",
    "web",
    "services",
    "gateway",
    "frontend",
    "admin",
    "bench",
    "scripts",
)

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = re.compile(r"^([\d.]+)(us|ms|s|m|h)$")


def duration_ms(text):
    """wrk's ``850.00us``, ``116.55ms``, ``1.12s``, ``2.00m`` in milliseconds."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output):
    """What one wrk run measured: ``{requests, rps, p50_ms, p99_ms, errors, acked, refused}``.

    Reads the ``BENCH_RESULT`` line of ``bench/wrk/scenario.lua`` when there is
    one (exact counts, acknowledged writes); otherwise wrk's own ``--latency``
    report. ``errors`` counts socket errors, timeouts and non-2xx/3xx answers.
    """
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            return _from_script(json.loads(line[len(RESULT_PREFIX) :]))
    return _from_text(output)


def _from_script(data):
    seconds = data["duration_us"] / 1e6
    errors = sum(
        data[key]
        for key in (
            "errors_status",
            "errors_connect",
            "errors_read",
            "errors_write",
            "errors_timeout",
        )
    )
    return {
        "requests": int(data["requests"]),
        "rps": data["requests"] / seconds if seconds else 0.0,
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": int(errors),
        "acked": int(data.get("acked", 0)),
        "refused": int(data.get("refused", 0)),
    }


def _from_text(output):
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in ", output, re.M)
    if not rps or not total:
        raise ValueError("no wrk report in the output")
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.M))
    if set(percentiles) != {"50", "99"}:
        raise ValueError("wrk ran without --latency: no percentiles")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        errors += sum(int(value) for value in socket.groups())
    return {
        "requests": int(total.group(1)),
        "rps": float(rps.group(1)),
        "p50_ms": duration_ms(percentiles["50"]),
        "p99_ms": duration_ms(percentiles["99"]),
        "errors": errors,
        "acked": 0,
        "refused": 0,
    }


BASELINE = "monolith"
SYSTEM_ORDER = ("cached", "uncached", "gateway", BASELINE)
"""Column order: the services with their read cache, the services without it, (the gateway
of runs before the two variants), then the monolith every other system is divided by."""


def ratio(gateway, monolith):
    """gateway / monolith (requests per second), ``None`` when the monolith did nothing."""
    if not monolith:
        return None
    return gateway / monolith


def _ratio_text(value):
    return "n/a" if value is None else f"{value:.2f}x"


def _result_cells(result):
    if result is None:
        return ["", "", ""]
    return [f"{result['rps']:.1f}", f"{result['p50_ms']:.1f}", f"{result['p99_ms']:.1f}"]


def _ordered_systems(names):
    known = [name for name in SYSTEM_ORDER if name in names]
    return known + sorted(name for name in names if name not in SYSTEM_ORDER)


def comparison_rows(measurements):
    """One row per (scenario, connections): every system's figures and the ratios.

    ``measurements`` are ``{scenario, connections, system, result}`` dicts, in
    the order they ran; a repeated (scenario, connections, system) keeps the
    median requests per second of its runs. A row has each system's result
    under its name, ``systems`` (their names, in ``SYSTEM_ORDER``), ``ratios``
    (``{system: its req/s over the monolith's}`` for every system but the
    monolith) and ``ratio`` (the first of those, for a run of one system
    against the monolith).
    """
    grouped = {}
    for item in measurements:
        key = (item["scenario"], item["connections"])
        grouped.setdefault(key, {}).setdefault(item["system"], []).append(item["result"])
    rows = []
    for (scenario, connections), systems in grouped.items():
        names = _ordered_systems(systems)
        row = {
            "scenario": scenario,
            "connections": connections,
            "systems": names,
            "errors": sum(r["errors"] for runs in systems.values() for r in runs),
        }
        for name in names:
            row[name] = _median_run(systems[name])
        row.setdefault("gateway", None)
        row.setdefault(BASELINE, None)
        baseline = row[BASELINE]
        row["ratios"] = {
            name: ratio(row[name]["rps"], baseline["rps"]) if baseline else None
            for name in names
            if name != BASELINE
        }
        row["ratio"] = next(iter(row["ratios"].values()), None)
        rows.append(row)
    return rows


def _median_run(runs):
    if not runs:
        return None
    ordered = sorted(runs, key=lambda run: run["rps"])
    return ordered[len(ordered) // 2]


def _table_systems(rows):
    """Every system of any row, in ``SYSTEM_ORDER``; the monolith is always a column."""
    names = set()
    for row in rows:
        names.update(row.get("systems", ()))
    names.add(BASELINE)
    if len(names) == 1:
        names.add("gateway")
    return _ordered_systems(names)


def markdown_table(rows):
    """The comparison as a Markdown table: req/s, p50 ms, p99 ms per system, then each
    system's ratio over the monolith."""
    systems = _table_systems(rows)
    variants = [name for name in systems if name != BASELINE]
    header = ["scenario", "conns"]
    for name in systems:
        header += [f"{name} req/s", "p50 ms", "p99 ms"]
    header += [f"{name} / {BASELINE}" for name in variants] + ["errors"]
    lines = [
        "| " + " | ".join(header) + " |",
        "| --- | " + " | ".join("---:" for _ in header[1:]) + " |",
    ]
    for row in rows:
        cells = [row["scenario"], str(row["connections"])]
        for name in systems:
            cells += _result_cells(row.get(name))
        cells += [_ratio_text(row.get("ratios", {}).get(name)) for name in variants]
        cells.append(str(row["errors"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def console_table(rows):
    """The same comparison for a terminal."""
    systems = _table_systems(rows)
    variants = [name for name in systems if name != BASELINE]
    short = {"cached": "cache", "uncached": "nocache", "gateway": "gw", BASELINE: "mono"}
    header = f"{'scenario':16} {'conns':>5}"
    for name in systems:
        label = short.get(name, name[:8])
        header += f" {label + ' req/s':>13} {'p50':>7} {'p99':>7}"
    for name in variants:
        header += f" {short.get(name, name[:8]) + '/mono':>12}"
    header += f" {'errors':>6}"
    lines = [header, "-" * len(header)]
    for row in rows:
        line = f"{row['scenario']:16} {row['connections']:>5}"
        for name in systems:
            cells = _result_cells(row.get(name))
            line += f" {cells[0]:>13} {cells[1]:>7} {cells[2]:>7}"
        for name in variants:
            line += f" {_ratio_text(row.get('ratios', {}).get(name)):>12}"
        line += f" {row['errors']:>6}"
        lines.append(line)
    return "\n".join(lines)


def lost_writes(acked, rows_before, rows_after):
    """Acknowledged writes missing from the database (0 when every one is there)."""
    return max(0, acked - (rows_after - rows_before))


# -- py-spy profiles ---------------------------------------------------------------

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def parse_frame(frame):
    """``"select (sqlalchemy/sql/x.py:12)"`` -> ``("select", "sqlalchemy/sql/x.py")``."""
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip(), ""
    return match.group("function"), match.group("file")


def package_of(path):
    """The top-level package or module a file belongs to: ``sqlalchemy``, ``json``,
    ``services/database/blog_data.py`` for the project's own modules."""
    if not path:
        return "?"
    parts = path.split("/")
    if parts[0] in PROJECT_PACKAGES:
        return path
    top = parts[0]
    return top[:-3] if top.endswith(".py") else top


ACTIVITIES = (
    # (activity, packages, function names, where): checked in this order; "stack" matches
    # a frame anywhere in the sample's stack, "leaf" only the innermost frame.
    ("JSON encoding and decoding", ("json",), (), "stack"),
    (
        "database: SQLAlchemy ORM, SQL, driver",
        ("sqlalchemy", "sqlite3", "pg8000", "nameko_sqlalchemy"),
        (),
        "stack",
    ),
    ("Markdown and sanitising", ("markdown_it", "nh3"), (), "stack"),
    ("templates", ("jinja2",), (), "stack"),
    (
        "logging (request and access logs)",
        ("logging", "services/rpc/request_log.py", "gateway/access_log.py"),
        (),
        "stack",
    ),
    ("AMQP publish", (), ("Publisher.publish",), "stack"),  # RPC transient, events confirmed
    (
        "AMQP receive and dispatch",
        (),
        (
            "Connection.drain_events",
            "ReplyListener.handle_message",
            "RpcConsumer.handle_message",
            "Consumer._receive_callback",
        ),
        "stack",
    ),
    ("other AMQP (kombu, amqp)", ("kombu", "amqp", "vine"), (), "stack"),
    ("web framework (gunicorn, Flask, Werkzeug)", ("gunicorn", "flask", "werkzeug"), (), "leaf"),
    ("nameko containers and entrypoints", ("nameko",), (), "leaf"),
    ("eventlet hub and green threads", ("eventlet", "greenlet"), (), "leaf"),
)
OTHER_ACTIVITY = "other (project code, standard library)"


def activity_of(frames):
    """What a sample was doing: the first of ``ACTIVITIES`` that matches its frames
    (JSON inside a publish counts as JSON, the rest of the publish as publishing)."""
    described = [(function, package_of(path)) for function, path in frames]
    for activity, packages, functions, where in ACTIVITIES:
        candidates = described if where == "stack" else described[-1:]
        if any(package in packages or function in functions for function, package in candidates):
            return activity
    return OTHER_ACTIVITY


def summarize_profile(raw, top=12):
    """Where a py-spy ``--format raw`` profile spends its samples.

    Returns ``{samples, activities, by_package, functions}``: ``activities``
    the share of samples per activity (``activity_of``); ``by_package`` the
    share of samples whose innermost frame is in each package (self time);
    ``functions`` the functions on the stack of the most samples (inclusive
    time), leaving out the frames every sample goes through.
    """
    samples = 0
    own = Counter()
    inclusive = Counter()
    activities = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        count = int(count)
        samples += count
        frames = [parse_frame(frame) for frame in stack.split(";") if frame]
        if not frames:
            continue
        own[package_of(frames[-1][1])] += count
        activities[activity_of(frames)] += count
        for function, path in set(frames):
            inclusive[(function, path)] += count
    if not samples:
        return {"samples": 0, "activities": [], "by_package": [], "functions": []}
    by_package = [(name, count / samples) for name, count in own.most_common(top)]
    functions = [
        (f"{function} ({path})", count / samples)
        for (function, path), count in inclusive.most_common()
        if count / samples < 0.95
    ][:top]
    return {
        "samples": samples,
        "activities": [(name, count / samples) for name, count in activities.most_common()],
        "by_package": by_package,
        "functions": functions,
    }


def profile_markdown(name, summary):
    """One process's profile summary as Markdown."""
    if not summary["samples"]:
        return f"**{name}**: no samples (the process was idle or could not be read).\n"
    lines = [
        f"**{name}** ({summary['samples']} samples of CPU)",
        "",
        "| activity | share |",
        "| --- | ---: |",
    ]
    lines += [f"| {activity} | {share:.0%} |" for activity, share in summary["activities"]]
    lines += ["", "| innermost frame in | share |", "| --- | ---: |"]
    lines += [f"| `{package}` | {share:.0%} |" for package, share in summary["by_package"]]
    lines += ["", "| on the stack (inclusive) | share |", "| --- | ---: |"]
    lines += [f"| `{function}` | {share:.0%} |" for function, share in summary["functions"]]
    return "\n".join(lines) + "\n"


def cpu_markdown(rows):
    """CPU milliseconds per request per process: ``rows`` are
    ``{scenario, connections, system, requests, cpu_seconds: {process: s}}``."""
    processes = []
    for row in rows:
        processes += [name for name in row["cpu_seconds"] if name not in processes]
    lines = [
        "| scenario | conns | system | " + " | ".join(processes) + " | total |",
        "| --- | ---: | --- | " + " | ".join("---:" for _ in processes) + " | ---: |",
    ]
    for row in rows:
        requests = max(row["requests"], 1)
        cells = [
            f"{row['cpu_seconds'][name] * 1000 / requests:.2f}"
            if name in row["cpu_seconds"]
            else ""
            for name in processes
        ]
        total = sum(row["cpu_seconds"].values()) * 1000 / requests
        lines.append(
            f"| {row['scenario']} | {row['connections']} | {row['system']} | "
            + " | ".join(cells)
            + f" | {total:.2f} |"
        )
    return "\n".join(lines)


# -- RPC calls per request, from the services' request logs ------------------------------

RPC_LOG_MARKER = " rpc.access "


def rpc_calls(log_text):
    """``{"service.method": [duration_ms, ...]}`` of the ``rpc.access`` lines in a log."""
    calls = {}
    for line in log_text.splitlines():
        _, marker, payload = line.partition(RPC_LOG_MARKER)
        if not marker:
            continue
        try:
            entry = json.loads(payload)
        except ValueError:
            continue
        name = f"{entry.get('service')}.{entry.get('method')}"
        calls.setdefault(name, []).append(entry.get("duration_ms") or 0.0)
    return calls


def rpc_hops(calls, requests):
    """Per RPC method: calls per request and median duration (ms), most called first."""
    hops = []
    for name, durations in calls.items():
        ordered = sorted(durations)
        hops.append(
            {
                "method": name,
                "per_request": len(durations) / max(requests, 1),
                "p50_ms": ordered[len(ordered) // 2],
            }
        )
    return sorted(hops, key=lambda hop: (-hop["per_request"], hop["method"]))


def rpc_markdown(rows):
    """``rows``: ``{scenario, connections, hops}``; one line per scenario."""
    with_system = any("system" in row for row in rows)
    system_header = " system |" if with_system else ""
    lines = [
        f"| scenario | conns |{system_header} RPC calls per request "
        "| calls (per request, p50 ms in the service) |",
        "| --- | ---: |" + (" --- |" if with_system else "") + " ---: | --- |",
    ]
    for row in rows:
        total = sum(hop["per_request"] for hop in row["hops"])
        detail = ", ".join(
            f"`{hop['method']}` x{hop['per_request']:.1f} ({hop['p50_ms']:.1f} ms)"
            for hop in row["hops"]
            if hop["per_request"] >= 0.05
        )
        system = f" {row.get('system', '')} |" if with_system else ""
        count = f"{total:.1f}" if total >= 0.95 else f"{total:.2f}"  # a cache makes it small
        lines.append(
            f"| {row['scenario']} | {row['connections']} |{system} {count} | {detail or '-'} |"
        )
    return "\n".join(lines)
