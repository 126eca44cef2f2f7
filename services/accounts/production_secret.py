"""The users service's guard against running with the public default secret."""

from nameko.extensions import DependencyProvider

from common.secret_keys import secret_key


class RequireProductionSecret(DependencyProvider):
    """Stops the service from starting with the public default secret (outside
    development mode): the container's ``setup`` fails, so ``nameko run`` exits."""

    def setup(self):
        secret_key(self.container.config)

    def get_dependency(self, worker_ctx):
        return None
