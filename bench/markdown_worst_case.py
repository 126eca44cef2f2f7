"""Markdown bodies at the article limit built to make the renderer work hardest: the CPU
time and peak memory of one render each, and the worst. docs/SECURITY.md states the bound
from these figures::

    .venv/bin/python -m bench.markdown_worst_case
"""

import time
import tracemalloc

from bench.service_code import blog_rules, sanitised_html

LIMIT = blog_rules.BODY_MAX
SHAPES = {
    "paragraphs (a\\n\\n)": "a\n\n",
    "list items (- a\\n)": "- a\n",
    "table rows": "|a|b|\n",
    "headings (# a\\n)": "# a\n",
    "open brackets ([)": "[",
    "open image brackets (![)": "![",
    "unclosed links ([a]()": "[a](",
    "links ([a](b) )": "[a](b) ",
    "emphasis (a*)": "a*",
    "strike (~~a)": "~~a",
    "backslashes": "\\",
    "html tags (<a>)": "<a>",
    "autolinks": "<http://a.b> ",
    "nested quotes (>)": ">",
    "nested lists (- )": "- ",
    "quotes in lists (> - )": "> - ",
}


def body(shape):
    text = "|a|b|\n|-|-|\n" + shape * LIMIT if shape == "|a|b|\n" else shape * LIMIT
    return text[:LIMIT]


def measure(text):
    started = time.process_time()
    sanitised_html(text)
    seconds = time.process_time() - started
    tracemalloc.start()
    sanitised_html(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak / 1e6


def main():
    print(f"one render of {LIMIT} characters (the article body limit), CPU seconds and peak MB")
    worst = (0, "")
    for name, shape in SHAPES.items():
        seconds, peak = measure(body(shape))
        worst = max(worst, (seconds, name))
        print(f"  {name:28s} {seconds:6.2f} s  {peak:6.1f} MB", flush=True)
    print(f"worst: {worst[1]}, {worst[0]:.2f} s")


if __name__ == "__main__":
    main()
