"""The clock as a dependency, so rules that depend on time can be tested."""

import time

from nameko.extensions import DependencyProvider


class Clock(DependencyProvider):
    """Injects a callable returning the current Unix time in seconds."""

    def get_dependency(self, worker_ctx):
        return time.time
