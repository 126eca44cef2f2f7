"""Write the contract's tables into ``docs/rpc.md``: ``python -m scripts.rpc_doc``.

The method and event tables sit between ``<!-- contract:NAME -->`` and
``<!-- /contract:NAME -->`` markers and are rendered from ``common/contract.py``; the
prose around them is kept. ``tests/unit/test_contract.py`` fails while the committed page
differs from what this writes.
"""

import re
from pathlib import Path

from common import contract

DOC = Path(__file__).resolve().parents[1] / "docs" / "rpc.md"


def _names(items):
    return ", ".join(f"`{item}`" for item in items) or "-"


def methods_table() -> str:
    rows = [
        "| method | access | web cache | dispatches | callers |",
        "| --- | --- | --- | --- | --- |",
    ]
    for service, name, method in contract.methods():
        rows.append(
            f"| `{service}.{name}` | {method.access.value} | "
            f"{'cached' if method.web_cached else '-'} | "
            f"{_names(event.name for event in method.dispatches)} | "
            f"{', '.join(caller for caller in contract.CALLERS if caller in method.callers)} |"
        )
    return "\n".join(rows)


def events_table() -> str:
    rows = [
        "| event | exchange | payload | clears the web's read cache | handled by |",
        "| --- | --- | --- | --- | --- |",
    ]
    for event in contract.EVENTS:
        handlers = [service for service, events in contract.HANDLES.items() if event in events]
        rows.append(
            f"| `{event.name}` | `{event.exchange}` | {_names(event.payload)} | "
            f"{'yes' if event.clears_reads else 'no'} | {', '.join(handlers) or '-'} |"
        )
    return "\n".join(rows)


TABLES = {"methods": methods_table, "events": events_table}


def with_tables(text: str) -> str:
    """``text`` with each marked table rendered afresh from the contract."""
    for name, render in TABLES.items():
        pattern = re.compile(
            rf"(<!-- contract:{name} -->\n).*?(<!-- /contract:{name} -->)", re.DOTALL
        )
        if not pattern.search(text):
            raise ValueError(f"{DOC} has no contract:{name} markers")
        text = pattern.sub(lambda match: match[1] + render() + "\n" + match[2], text)
    return text


if __name__ == "__main__":
    DOC.write_text(with_tables(DOC.read_text()))
