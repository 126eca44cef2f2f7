"""What a request costs, measured side by side in one run on the real stack.

    .venv/bin/python -m bench.request_costs [--calls 300] [--threads 4]

Starts the whole system (tests/support/stack.py: own RabbitMQ vhost, SQLite files in a
temporary folder), seeds articles, then times the same read four ways:

* a new standalone RPC proxy per call (what DESIGN.md warns against);
* the pooled ``RpcClient`` the gateway and frontend use;
* the gateway over HTTP (``GET /api/articles``), which adds a users call for
  the token-less request and the HTTP hop;
* the frontend home page (HTML rendering on top of two RPCs).

It prints median and 95th-percentile latency and throughput for each, and the
ratios to the pooled client, so a change can be judged by measurement. The
machine is shared and noisy: compare figures from one run, not across runs.
"""

import argparse
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from nameko.standalone.rpc import ClusterRpcProxy

from tests.support.stack import Stack

SEED_ARTICLES = 30


def seed(stack):
    author = stack.rpc.users.register(
        username="bench", email="bench@example.com", password="bench password 1"
    )
    for number in range(SEED_ARTICLES):
        stack.rpc.blog.create_article(
            author_id=author["id"],
            title=f"Benchmark article {number}",
            description="Seeded by bench/request_costs.py",
            body="Some *Markdown* body. " * 20,
            tag_list=["bench", f"tag{number % 5}"],
        )


def measure(call, calls, threads):
    """Latencies (ms) of ``calls`` calls spread over ``threads`` threads, and calls per second."""

    def timed(_):
        started = time.perf_counter()
        call()
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        latencies = list(pool.map(timed, range(calls)))
    elapsed = time.perf_counter() - started
    return latencies, calls / elapsed


def main():
    parser = argparse.ArgumentParser(description="Time one read through each path.")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(workdir, rpc_timeout=10).start_all()
        try:
            seed(stack)
            local = threading.local()

            def http_get(url):
                if not hasattr(local, "session"):
                    local.session = requests.Session()  # keep-alive, as a real client would
                local.session.get(url, timeout=10).raise_for_status()

            def fresh_proxy():
                with ClusterRpcProxy(stack.config, timeout=10) as proxy:
                    proxy.blog.list_articles(limit=20)

            paths = {
                "new RPC proxy per call": fresh_proxy,
                "pooled RpcClient": lambda: stack.rpc.blog.list_articles(limit=20),
                "gateway GET /api/articles": lambda: http_get(
                    stack.gateway_url + "/api/articles?limit=20"
                ),
                "frontend GET / (HTML)": lambda: http_get(stack.frontend_url + "/"),
            }
            for call in paths.values():  # warm every path once before timing
                call()
            results = {
                name: measure(call, args.calls, args.threads) for name, call in paths.items()
            }
        finally:
            stack.stop_all()

    baseline = statistics.median(results["pooled RpcClient"][0])
    print(f"{args.calls} calls, {args.threads} threads, {SEED_ARTICLES} articles, list of 20")
    print(f"{'path':30} {'p50 ms':>8} {'p95 ms':>8} {'calls/s':>9} {'p50 / pooled':>13}")
    for name, (latencies, throughput) in results.items():
        p50 = statistics.median(latencies)
        p95 = statistics.quantiles(latencies, n=20)[-1]
        print(f"{name:30} {p50:8.1f} {p95:8.1f} {throughput:9.1f} {p50 / baseline:12.2f}x")


if __name__ == "__main__":
    main()
