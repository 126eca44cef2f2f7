"""The benchmark harness's pure parts (bench/results.py): reading wrk's output, the
comparison table and its ratios, the lost-write check, py-spy profiles and RPC logs; and
the documents rendered from bench/templates/ (bench/document.py): the page, and the
profiler's tables in a file beside it."""

import argparse
import json
from pathlib import Path

import pytest

from bench import document, results

DOCS = Path(__file__).resolve().parents[3] / "docs"

WRK_REPORT = """\
Running 3s test @ http://127.0.0.1:18901
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   136.40ms   65.70ms 447.24ms   84.62%
    Req/Sec    60.76     24.30   116.00     68.97%
  Latency Distribution
     50%  116.55ms
     75%  159.09ms
     90%  214.08ms
     99%  388.81ms
  360 requests in 3.04s, 3.62MB read
Requests/sec:    118.45
Transfer/sec:      1.19MB
"""

WRK_REPORT_WITH_ERRORS = """\
Running 10s test @ http://127.0.0.1:8000/api/articles
  1 threads and 1 connections
  Latency Distribution
     50%  850.00us
     75%    1.00ms
     90%    1.10ms
     99%    1.12s
  1200 requests in 10.00s, 1.00MB read
  Socket errors: connect 1, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:    120.00
Transfer/sec:    102.40KB
"""

SCRIPT_LINE = (
    'BENCH_RESULT {"requests":121,"duration_us":2022715,"p50_us":42536,"p99_us":562474,'
    '"max_us":587715,"errors_status":2,"errors_connect":0,"errors_read":0,"errors_write":0,'
    '"errors_timeout":1,"acked":119,"refused":2}'
)


def test_wrk_report_gives_throughput_and_percentiles():
    result = results.parse_wrk(WRK_REPORT)

    assert result == {
        "requests": 360,
        "rps": 118.45,
        "p50_ms": 116.55,
        "p99_ms": 388.81,
        "errors": 0,
        "acked": 0,
        "refused": 0,
    }


def test_wrk_units_and_errors_are_read():
    result = results.parse_wrk(WRK_REPORT_WITH_ERRORS)

    assert result["p50_ms"] == pytest.approx(0.85)
    assert result["p99_ms"] == pytest.approx(1120.0)
    assert result["errors"] == 1 + 2 + 0 + 3 + 7


def test_script_line_wins_over_the_text_report():
    result = results.parse_wrk(WRK_REPORT + SCRIPT_LINE + "\n")

    assert result["requests"] == 121
    assert result["rps"] == pytest.approx(121 / 2.022715)
    assert result["p50_ms"] == pytest.approx(42.536)
    assert result["p99_ms"] == pytest.approx(562.474)
    assert result["errors"] == 3
    assert (result["acked"], result["refused"]) == (119, 2)


@pytest.mark.parametrize(
    "output",
    [
        "",
        "wrk: connection refused",
        WRK_REPORT.replace("  Latency Distribution\n     50%  116.55ms\n", ""),
    ],
)
def test_output_without_a_full_report_is_an_error(output):
    with pytest.raises(ValueError):
        results.parse_wrk(output)


@pytest.mark.parametrize(
    "text, expected",
    [("850.00us", 0.85), ("116.55ms", 116.55), ("1.12s", 1120.0), ("2.00m", 120000.0)],
)
def test_durations(text, expected):
    assert results.duration_ms(text) == pytest.approx(expected)


def test_duration_without_unit_is_refused():
    with pytest.raises(ValueError):
        results.duration_ms("12")


def run(rps, p50=10.0, p99=20.0, errors=0):
    return {
        "requests": int(rps * 10),
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "errors": errors,
        "acked": 0,
        "refused": 0,
    }


def measurement(scenario, connections, system, result):
    return {"scenario": scenario, "connections": connections, "system": system, "result": result}


def test_rows_pair_the_systems_and_divide_gateway_by_monolith():
    rows = results.comparison_rows(
        [
            measurement("list", 1, "gateway", run(30.0)),
            measurement("list", 1, "monolith", run(600.0)),
            measurement("list", 16, "monolith", run(800.0, errors=1)),
            measurement("list", 16, "gateway", run(40.0, errors=2)),
        ]
    )

    assert [(row["scenario"], row["connections"]) for row in rows] == [("list", 1), ("list", 16)]
    assert rows[0]["ratio"] == pytest.approx(0.05)
    assert rows[1]["ratio"] == pytest.approx(0.05)
    assert rows[1]["errors"] == 3


def test_repeated_rounds_report_the_median_run():
    rows = results.comparison_rows(
        [measurement("tags", 1, "gateway", run(value, p50=value)) for value in (90.0, 10.0, 50.0)]
        + [measurement("tags", 1, "monolith", run(100.0))]
    )

    assert rows[0]["gateway"]["rps"] == 50.0
    assert rows[0]["ratio"] == pytest.approx(0.5)


def test_ratio_without_a_monolith_figure_is_none():
    assert results.ratio(10.0, 0.0) is None
    rows = results.comparison_rows([measurement("feed", 1, "gateway", run(5.0))])
    assert rows[0]["ratio"] is None
    assert "n/a" in results.markdown_table(rows)


def test_markdown_and_console_tables_show_every_figure():
    rows = results.comparison_rows(
        [
            measurement("article", 16, "gateway", run(41.5, p50=380.25, p99=510.0)),
            measurement("article", 16, "monolith", run(830.0, p50=18.0, p99=49.5)),
        ]
    )

    table = results.markdown_table(rows)
    line = table.splitlines()[2]
    assert line == ("| article | 16 | 41.5 | 380.2 | 510.0 | 830.0 | 18.0 | 49.5 | 0.05x | 0 |")
    console = results.console_table(rows)
    assert "article" in console and "0.05x" in console and "830.0" in console


@pytest.mark.parametrize(
    "acked, before, after, lost",
    [
        (10, 100, 110, 0),  # every acknowledged write is there
        (10, 100, 112, 0),  # and two that wrk gave up on before the answer
        (10, 100, 107, 3),  # three acknowledged writes are missing
    ],
)
def test_lost_writes(acked, before, after, lost):
    assert results.lost_writes(acked, before, after) == lost


PROFILE = """\
_run_worker (nameko/containers.py:392);blog_list_articles (services/storage.py:164);list_articles (services/storage_blog.py:152);execute (sqlalchemy/orm/session.py:2373) 60
_run_worker (nameko/containers.py:392);blog_list_articles (services/storage.py:164);isoformat (common/timestamps.py:8) 10
_run_worker (nameko/containers.py:392);send_response (nameko/rpc.py:226);publish (kombu/messaging.py:352);dumps (json/__init__.py:231) 30
"""


def test_profile_summary_shares_by_package_and_by_function():
    summary = results.summarize_profile(PROFILE)

    assert summary["samples"] == 100
    assert summary["by_package"] == [
        ("sqlalchemy", 0.6),
        ("json", 0.3),
        ("common/timestamps.py", 0.1),
    ]
    functions = dict(summary["functions"])
    assert "_run_worker (nameko/containers.py)" not in functions  # in every sample
    assert functions["blog_list_articles (services/storage.py)"] == pytest.approx(0.7)
    assert functions["publish (kombu/messaging.py)"] == pytest.approx(0.3)
    assert "| `sqlalchemy` | 60% |" in results.profile_markdown("storage", summary)


def test_profile_activities_go_by_the_innermost_frame_that_names_one():
    summary = results.summarize_profile(
        PROFILE
        + (
            "main (services/x.py:1);Publisher.publish (nameko/amqp/publish.py:209);"
            "Producer.publish (kombu/messaging.py:352) 20\n"
        )
    )

    activities = dict(summary["activities"])
    assert activities["database: SQLAlchemy ORM, SQL, driver"] == pytest.approx(60 / 120)
    assert activities["JSON encoding and decoding"] == pytest.approx(30 / 120)  # inside publish
    assert activities["AMQP publish"] == pytest.approx(20 / 120)
    assert activities["other (project code, standard library)"] == pytest.approx(10 / 120)
    assert "| JSON encoding and decoding | 25% |" in results.profile_markdown("storage", summary)


def test_empty_profile_says_so():
    summary = results.summarize_profile("")

    assert summary == {"samples": 0, "activities": [], "by_package": [], "functions": []}
    assert "no samples" in results.profile_markdown("blog", summary)


def test_cpu_table_is_milliseconds_per_request():
    table = results.cpu_markdown(
        [
            {
                "scenario": "list",
                "connections": 16,
                "system": "gateway",
                "requests": 200,
                "cpu_seconds": {"storage": 2.0, "blog": 1.0},
            },
            {
                "scenario": "list",
                "connections": 16,
                "system": "monolith",
                "requests": 1000,
                "cpu_seconds": {"monolith": 3.0},
            },
        ]
    )

    lines = table.splitlines()
    assert lines[0] == "| scenario | conns | system | storage | blog | monolith | total |"
    assert lines[2] == "| list | 16 | gateway | 10.00 | 5.00 |  | 15.00 |"
    assert lines[3] == "| list | 16 | monolith |  |  | 3.00 | 3.00 |"


def access_line(service, method, duration):
    payload = json.dumps(
        {
            "service": service,
            "method": method,
            "request_id": "r",
            "call_id": "c",
            "outcome": "ok",
            "duration_ms": duration,
        }
    )
    return f"2026-11-27 12:14:58,811 INFO rpc.access {payload}"


def test_rpc_hops_per_request_from_the_request_log():
    log = "\n".join(
        [
            access_line("blog", "list_articles", 30.0),
            access_line("storage", "blog_list_articles", 12.0),
            "2026-11-27 12:14:58,900 INFO nameko.runners starting services: storage",
            access_line("blog", "list_articles", 40.0),
            access_line("storage", "blog_list_articles", 14.0),
            access_line("blog", "list_articles", 50.0),
            "2026-11-27 12:14:59,000 INFO rpc.access {not json",
        ]
    )

    calls = results.rpc_calls(log)
    hops = results.rpc_hops(calls, requests=2)

    assert calls["blog.list_articles"] == [30.0, 40.0, 50.0]
    assert hops == [
        {"method": "blog.list_articles", "per_request": 1.5, "p50_ms": 40.0},
        {"method": "storage.blog_list_articles", "per_request": 1.0, "p50_ms": 14.0},
    ]
    table = results.rpc_markdown([{"scenario": "list", "connections": 1, "hops": hops}])
    assert "| list | 1 | 2.5 |" in table
    assert "`blog.list_articles` x1.5 (40.0 ms)" in table


def test_three_systems_each_divided_by_the_monolith():
    rows = results.comparison_rows(
        [
            measurement("list", 16, "monolith", run(500.0)),
            measurement("list", 16, "uncached", run(100.0, errors=1)),
            measurement("list", 16, "cached", run(750.0)),
            measurement("list", 1, "cached", run(300.0)),
            measurement("list", 1, "monolith", run(200.0)),
            measurement("list", 1, "uncached", run(50.0)),
        ]
    )

    assert [row["systems"] for row in rows] == [["cached", "uncached", "monolith"]] * 2
    assert rows[0]["ratios"] == {"cached": pytest.approx(1.5), "uncached": pytest.approx(0.2)}
    assert rows[1]["ratios"] == {"cached": pytest.approx(1.5), "uncached": pytest.approx(0.25)}
    assert rows[0]["errors"] == 1


def test_three_system_tables_have_a_ratio_column_per_services_variant():
    rows = results.comparison_rows(
        [
            measurement("tags", 16, "uncached", run(100.0, p50=150.0, p99=300.0)),
            measurement("tags", 16, "monolith", run(400.0, p50=38.0, p99=80.0)),
            measurement("tags", 16, "cached", run(600.0, p50=25.0, p99=60.0)),
        ]
    )

    header, _, line = results.markdown_table(rows).splitlines()
    assert header == (
        "| scenario | conns | cached req/s | p50 ms | p99 ms | uncached req/s "
        "| p50 ms | p99 ms | monolith req/s | p50 ms | p99 ms "
        "| cached / monolith | uncached / monolith | errors |"
    )
    assert line == (
        "| tags | 16 | 600.0 | 25.0 | 60.0 | 100.0 | 150.0 | 300.0 "
        "| 400.0 | 38.0 | 80.0 | 1.50x | 0.25x | 0 |"
    )
    console = results.console_table(rows).splitlines()
    assert "cache/mono" in console[0] and "nocache/mono" in console[0]
    assert console[2].split()[-3:] == ["1.50x", "0.25x", "0"]


def test_a_variant_missing_from_a_row_leaves_its_cells_empty():
    rows = results.comparison_rows(
        [
            measurement("feed", 1, "cached", run(10.0)),
            measurement("feed", 1, "monolith", run(20.0)),
            measurement("tags", 1, "uncached", run(5.0)),
            measurement("tags", 1, "monolith", run(20.0)),
        ]
    )

    lines = results.markdown_table(rows).splitlines()
    assert lines[2].endswith("| 0.50x | n/a | 0 |")
    assert lines[3].startswith("| tags | 1 |  |  |  | 5.0 |")
    assert lines[3].endswith("| n/a | 0.25x | 0 |")


def test_rpc_table_names_the_system_and_shows_small_counts():
    hops = [{"method": "blog.list_articles", "per_request": 0.02, "p50_ms": 9.0}]
    table = results.rpc_markdown(
        [
            {"scenario": "list", "connections": 1, "system": "cached", "hops": hops},
            {
                "scenario": "list",
                "connections": 1,
                "system": "uncached",
                "hops": [{"method": "blog.list_articles", "per_request": 1.0, "p50_ms": 9.0}],
            },
        ]
    )

    assert "| list | 1 | cached | 0.02 | - |" in table
    assert "| list | 1 | uncached | 1.0 | `blog.list_articles` x1.0 (9.0 ms) |" in table


# -- the documents: docs/PERFORMANCE.md from its template, the profiles beside it -----------


def bench_run(profile=True):
    """A run as bench/run.py hands it to the documents: two scenarios, three systems."""
    measurements = []
    for scenario, write in (("list", False), ("add-comment", True)):
        for connections in (1, 16):
            for system, rps in (("cached", 500.0), ("uncached", 80.0), ("monolith", 160.0)):
                item = measurement(scenario, connections, system, run(rps))
                item["cpu"] = {
                    "scenario": scenario,
                    "connections": connections,
                    "system": system,
                    "requests": int(rps * 10),
                    "cpu_seconds": {system: rps / 100},
                }
                if system != "monolith":
                    item["rpc"] = {
                        "scenario": scenario,
                        "connections": connections,
                        "system": system,
                        "hops": [
                            {"method": "blog.list_articles", "per_request": 1.0, "p50_ms": 9.0}
                        ],
                    }
                if write:
                    item["writes"] = {"acked": 100, "rows_added": 101, "lost": 0}
                measurements.append(item)
    growth = {
        size: {system: run(rps, p50=p50) for system, rps, p50 in figures}
        for size, figures in (
            (1000, (("cached", 700.0, 1.4), ("uncached", 74.0, 13.2), ("monolith", 160.0, 6.2))),
            (100000, (("cached", 699.0, 1.3), ("uncached", 58.0, 16.5), ("monolith", 113.0, 8.8))),
        )
    }
    return {
        "args": argparse.Namespace(duration=10, rounds=1, connections=[1, 16], profile_seconds=10),
        "measurements": measurements,
        "date": "2026-12-01 10:00 UTC",
        "command": "python -m bench.run --articles 10000",
        "load_before": "0.50 0.40 0.30",
        "server": {"worker_class": "gthread", "workers": 1, "threads": 8},
        "summary": {
            "articles": 10000,
            "users": 1001,
            "comments": 12000,
            "favorites": 20000,
            "follows": 5050,
            "reader": {"follows": 50},
            "hot_slugs": ["a"] * 120,
        },
        "seed_seconds": 3.2,
        "machine": {
            "cpu": "AMD EPYC",
            "cores": 2,
            "memory": "24 GiB",
            "kernel": "6.18",
            "python": "3.11.7",
            "sqlite": "3.40.1",
            "rabbitmq": "3.10.8",
            "wrk": "wrk 4.1.0",
            "commit": "abc1234",
            "load": "1.00 0.90 0.80",
        },
        "profile": {
            "loads": {"uncached": {"rps": 105.2}, "cached": {"rps": 527.0}},
            "profiles": {"storage (no-cache load)": results.summarize_profile(PROFILE)},
            "dumps": {
                "storage": "Thread 1 (active)\n    Publisher.publish (nameko/amqp/publish.py:209)"
            },
        }
        if profile
        else None,
        "growth": growth,
    }


def test_the_page_holds_every_section_and_leaves_the_profile_tables_out():
    page = document.render_page(bench_run())

    assert page.startswith("# Performance: the services against the monolith\n")
    assert "- command: `python -m bench.run --articles 10000`" in page
    assert "(seeded in 3 s)" in page and "read scenarios rotate over 100 articles" in page
    assert results.markdown_table(results.comparison_rows(bench_run()["measurements"])) in page
    assert document.EMPTY_FINDINGS in page
    assert "| add-comment | 16 | monolith | 100 | 101 | 0 |" in page
    assert "## CPU per request (16 connections)" in page
    assert "## RPC hops per request (1 connection)" in page
    assert "(uncached 105 req/s, cached 527 req/s)" in page
    assert "[performance-profiles.md](performance-profiles.md)" in page
    assert "| 100000 | 1.3 | 699.0 | 16.5 | 58.0 | 8.8 | 113.0 |" in page
    assert "cached 0.93x, uncached 1.25x, monolith 1.42x (target" in page
    assert "| activity | share |" not in page and "in the middle of the load:" not in page
    assert page.endswith("(target for the services: at most 1.5x).\n")


def test_the_profiles_file_holds_the_profile_tables_and_dumps():
    profiles = document.render_profiles(bench_run())

    assert profiles.startswith("# Profiles of the list load\n")
    assert "on 2026-12-01 10:00 UTC, commit abc1234" in profiles
    assert (
        results.profile_markdown(
            "storage (no-cache load)", results.summarize_profile(PROFILE)
        ).rstrip()
        in profiles
    )
    assert (
        "`py-spy dump` of storage in the middle of the load:\n\n```\nThread 1 (active)" in profiles
    )


def test_a_run_without_profile_or_growth_leaves_their_sections_out():
    bare = {**bench_run(profile=False), "growth": None}

    page = document.render_page(bare)

    assert "## Profile of the list load" not in page and "## Growth" not in page
    assert "## CPU per request" in page


def test_writing_keeps_the_findings_and_puts_the_profiles_beside_the_page(tmp_path):
    page_path = tmp_path / "PERFORMANCE.md"
    findings = f"{document.FINDINGS_START}\nThe list is CPU-bound.\n{document.FINDINGS_END}"
    page_path.write_text(f"# old\n\n{findings}\n\nold tables\n")

    written = document.write_documents(page_path, bench_run())

    assert written == [page_path, tmp_path / "performance-profiles.md"]
    page = page_path.read_text()
    assert findings in page and "old tables" not in page
    assert "| activity | share |" in written[1].read_text()


def test_a_run_without_profile_writes_the_page_alone(tmp_path):
    page_path = tmp_path / "PERFORMANCE.md"

    written = document.write_documents(page_path, bench_run(profile=False))

    assert written == [page_path]
    assert document.EMPTY_FINDINGS in page_path.read_text()
    assert not (tmp_path / "performance-profiles.md").exists()


def test_the_committed_page_keeps_the_profile_tables_in_the_file_beside_it():
    page = (DOCS / "PERFORMANCE.md").read_text()
    profiles = (DOCS / document.PROFILES_NAME).read_text()

    assert "[performance-profiles.md](performance-profiles.md)" in page
    assert "| activity | share |" not in page and "in the middle of the load:" not in page
    assert document.kept_findings(page) is not None
    assert "| activity | share |" in profiles and "in the middle of the load:" in profiles
