"""The blog image holds the runtime requirements and none of the development ones."""

import json
import os

from scripts.check_containers import (
    DEVELOPMENT_REQUIREMENTS,
    RUNTIME_REQUIREMENTS,
    requirement_pins,
)
from tests.containers.conftest import PROJECT_ROOT, docker

# Run by the image's python: every installed distribution with its version, and the
# development tools' commands that are on the PATH.
INSTALLED_PROBE = r"""
import json, re, shutil
from importlib import metadata
print(json.dumps({
    "distributions": {re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(): d.version
                      for d in metadata.distributions()},
    "commands": [c for c in ("pytest", "py-spy", "playwright", "schemathesis", "honcho",
                             "ruff", "mypy") if shutil.which(c)],
}))
"""


def pins(file_name):
    return {
        name: version
        for _, name, version in requirement_pins((PROJECT_ROOT / file_name).read_text())
    }


def test_the_image_has_the_runtime_pins_and_no_development_tools():
    seen = json.loads(
        docker("run", "--rm", os.environ["BLOG_IMAGE"], "python", "-c", INSTALLED_PROBE).stdout
    )
    installed = seen["distributions"]
    runtime, development = pins(RUNTIME_REQUIREMENTS), pins(DEVELOPMENT_REQUIREMENTS)
    assert {name: installed.get(name) for name in runtime} == runtime
    assert {"pytest", "playwright", "schemathesis", "hypothesis", "py-spy"} <= development.keys()
    assert sorted(set(development) & set(installed)) == []
    assert seen["commands"] == []
