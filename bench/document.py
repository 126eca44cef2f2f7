"""The documents ``make bench`` writes: ``docs/PERFORMANCE.md`` and, beside it, the raw
profiler tables in ``docs/performance-profiles.md``.

Both are rendered from the Jinja2 templates in ``bench/templates/``, so the prose of the
page is edited there and the tables come from ``bench/results.py``. The hand-written findings
between the ``<!-- findings -->`` markers of the page survive a new run; the profiles file
is written only by a run that profiled.
"""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bench import results

TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGE_TEMPLATE = "PERFORMANCE.md.j2"
PROFILES_TEMPLATE = "performance-profiles.md.j2"
PROFILES_NAME = "performance-profiles.md"
FINDINGS_START, FINDINGS_END = "<!-- findings -->", "<!-- /findings -->"
EMPTY_FINDINGS = f"{FINDINGS_START}\n(Findings: written by hand after a run.)\n{FINDINGS_END}"
GROWTH_SYSTEMS = ("cached", "uncached", "monolith")

_templates = Environment(  # noqa: S701 - writes Markdown, not HTML
    loader=FileSystemLoader(str(TEMPLATES)),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def kept_findings(text):
    """The findings block of a page's text, markers included; ``None`` when it has none."""
    if FINDINGS_START in text and FINDINGS_END in text:
        return text[text.index(FINDINGS_START) : text.index(FINDINGS_END) + len(FINDINGS_END)]
    return None


def _profile_loads(profile):
    return ", ".join(
        f"{system} {load.get('rps', 0):.0f} req/s" for system, load in profile["loads"].items()
    )


def _growth_ratios(growth):
    sizes = list(growth)
    if len(sizes) < 2:
        return None
    first, last = growth[sizes[0]], growth[sizes[-1]]
    return {
        "first": sizes[0],
        "last": sizes[-1],
        "ratios": {
            system: last[system]["p50_ms"] / first[system]["p50_ms"] for system in GROWTH_SYSTEMS
        },
    }


def _context(run, findings):
    args, measurements = run["args"], run["measurements"]
    profile, growth = run.get("profile"), run.get("growth")
    cpu_connections, rpc_connections = max(args.connections), min(args.connections)
    rpc_rows = [
        item["rpc"]
        for item in measurements
        if "rpc" in item and item["connections"] == rpc_connections
    ]
    return {
        "run": run,
        "args": args,
        "machine": run["machine"],
        "data": run["summary"],
        "server": run["server"],
        "hot_articles": min(100, len(run["summary"]["hot_slugs"])),
        "comparison_table": results.markdown_table(results.comparison_rows(measurements)),
        "findings": findings or EMPTY_FINDINGS,
        "writes": [item for item in measurements if "writes" in item],
        "cpu_connections": cpu_connections,
        "cpu_table": results.cpu_markdown(
            [item["cpu"] for item in measurements if item["connections"] == cpu_connections]
        ),
        "rpc_connections": rpc_connections,
        "rpc_table": results.rpc_markdown(rpc_rows) if rpc_rows else "",
        "profile": profile,
        "profile_loads": _profile_loads(profile) if profile else "",
        "profile_tables": [
            results.profile_markdown(name, summary).rstrip("\n")
            for name, summary in profile["profiles"].items()
        ]
        if profile
        else [],
        "profiles_file": PROFILES_NAME,
        "growth": growth,
        "systems": GROWTH_SYSTEMS,
        "growth_ratios": _growth_ratios(growth) if growth else None,
    }


def render_page(run, findings=None):
    """``docs/PERFORMANCE.md`` for a run: the figures, and ``findings`` (a kept block) or an
    empty findings block."""
    return _templates.get_template(PAGE_TEMPLATE).render(_context(run, findings))


def render_profiles(run):
    """The profiler's tables and dumps of a run that profiled."""
    return _templates.get_template(PROFILES_TEMPLATE).render(_context(run, None))


def write_documents(page_path, run):
    """Write the page (keeping the findings it holds) and, when the run profiled, the
    profiles file beside it; returns the paths written."""
    page_path = Path(page_path)
    findings = kept_findings(page_path.read_text()) if page_path.exists() else None
    page_path.write_text(render_page(run, findings))
    written = [page_path]
    if run.get("profile"):
        profiles_path = page_path.with_name(PROFILES_NAME)
        profiles_path.write_text(render_profiles(run))
        written.append(profiles_path)
    return written
