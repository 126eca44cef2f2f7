"""One closing line for the whole suite, summed over the JUnit reports of its runs."""

import sys
import xml.etree.ElementTree as ElementTree


def totals(paths):
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for path in paths:
        for suite in ElementTree.parse(path).getroot().iter("testsuite"):  # noqa: S314 - pytest's own report
            for key in counts:
                counts[key] += int(suite.get(key, 0))
    return counts


def main(paths):
    counts = totals(paths)
    failed = counts["failures"] + counts["errors"]
    passed = counts["tests"] - failed - counts["skipped"]
    print(f"all: {passed} passed, {failed} failed, {counts['skipped']} skipped")


if __name__ == "__main__":
    main(sys.argv[1:])
