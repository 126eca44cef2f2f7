"""Write the settings tables of ``docs/deployment.md`` from ``common/settings.py``.

    python scripts/settings_table.py

The tables stand between ``BEGIN`` and ``END`` below; the rest of the page is
prose kept by hand. ``tests/unit/common/test_settings.py`` fails when the page
differs from what this writes.
"""

from pathlib import Path

from common.settings import COMPOSE_OVERRIDES, ENVIRONMENT_ONLY, SETTINGS, text_of

DEPLOYMENT_DOC = Path(__file__).resolve().parent.parent / "docs" / "deployment.md"
BEGIN = "<!-- settings tables: written by scripts/settings_table.py from common/settings.py -->"
END = "<!-- end of the settings tables -->"


def code(text):
    return f"`{text}`" if text else "(empty)"


def render():
    """The Markdown of the tables, between and including the two markers."""
    lines = [
        BEGIN,
        "| variable | config.yaml setting | default | what it does |",
        "| --- | --- | --- | --- |",
        *(
            f"| `{setting.variable}` | `{setting.name}` | {code(setting.default_text)} "
            f"| {setting.help} |"
            for setting in SETTINGS
        ),
        "",
        "Read from the environment only, by a tool or by docker compose itself:",
        "",
        "| variable | default | what it does |",
        "| --- | --- | --- |",
        *(
            f"| `{variable.variable}` | "
            f"{'required' if variable.default is None else code(text_of(variable.default))} "
            f"| {variable.help} |"
            for variable in ENVIRONMENT_ONLY
        ),
        "",
        "Where `docker-compose.yml` gives a default of its own:",
        "",
        *(
            f"- `{variable}`: `{value}`, {reason}."
            for variable, (value, reason) in COMPOSE_OVERRIDES.items()
        ),
        END,
    ]
    return "\n".join(lines) + "\n"


def rewritten(page):
    """``page`` with the text from ``BEGIN`` to ``END`` replaced by ``render()``."""
    start = page.index(BEGIN)
    stop = page.index(END, start) + len(END) + 1
    return page[:start] + render() + page[stop:]


def main():
    DEPLOYMENT_DOC.write_text(rewritten(DEPLOYMENT_DOC.read_text()))


if __name__ == "__main__":
    main()
