"""Every setting of the blog, declared once: its name, variable, default, type and purpose.

``SETTINGS`` lists what ``config.yaml`` carries: each setting's name is its key path
in ``config.yaml`` (``RATE_LIMITS.LOGIN_PER_ACCOUNT``), read there as
``${VARIABLE:default}``. Code reads a setting with ``common.config.setting`` (or
``section``), which falls back to the default declared here, so no other module
holds a default. ``ENVIRONMENT_ONLY`` lists the variables no ``config.yaml`` key
carries: the few a tool reads from the environment itself, and those only docker
compose reads (secrets, accounts, images, the public port). ``COMPOSE_OVERRIDES``
lists the few defaults ``docker-compose.yml`` deliberately gives otherwise, each
with its reason.

To add a setting, add one line to ``SETTINGS`` and its ``${VARIABLE:default}`` to
``config.yaml``; ``tests/unit/common/test_settings.py`` then says what else must
follow (``docker-compose.yml`` and ``.env.example`` if compose passes it on, the
README's short table if it lists it), and ``python scripts/settings_table.py``
rewrites the table of ``docs/deployment.md``.
"""

from dataclasses import dataclass

SettingValue = str | int | float | bool
"""What a setting holds once read: its declared type."""

TRUE_WORDS = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Setting:
    """One key of ``config.yaml``, read from ``variable`` with ``default`` when unset."""

    name: str
    variable: str
    default: SettingValue
    type: type[str] | type[int] | type[float] | type[bool]
    help: str

    @property
    def keys(self) -> tuple[str, ...]:
        """The path of keys from the top of ``config.yaml`` to this setting."""
        return tuple(self.name.split("."))

    @property
    def default_text(self) -> str:
        """The default as ``config.yaml``, compose and the docs write it."""
        return text_of(self.default)

    def convert(self, value: object) -> SettingValue:
        """``value`` as this setting's type; ``true``, ``yes``, ``on`` and ``1`` are true.
        A float setting keeps a whole number as written (``10``, not ``10.0``), so the
        messages that quote it read as configured."""
        if self.type is bool:
            return str(value).strip().lower() in TRUE_WORDS
        if self.type is str:
            return str(value)
        if self.type is int or (isinstance(value, int) and not isinstance(value, bool)):
            return int(str(value))
        return float(str(value))


@dataclass(frozen=True)
class EnvironmentVariable:
    """A variable read from the environment only; ``default`` ``None``: it must be set."""

    variable: str
    default: str | int | None
    help: str


def text_of(value: SettingValue | None) -> str:
    """A value as YAML and compose write it: ``false``, ``10``, ``var/backups``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "AMQP_URI",
        "AMQP_URI",
        "pyamqp://guest:guest@127.0.0.1:5672/",
        str,
        "RabbitMQ, for every process; make run and compose give each part its own least-privilege "
        "account",
    ),
    Setting(
        "max_workers",
        "MAX_WORKERS",
        10,
        int,
        "each service: RPC calls and events handled at once per instance",
    ),
    Setting(
        "DB_URIS.storage:UsersBase",
        "USERS_DB_URI",
        "sqlite:///var/users.db",
        str,
        "storage and migrations: the users database (PostgreSQL: postgresql+pg8000://user:pass@host/db)",
    ),
    Setting(
        "DB_URIS.storage:BlogBase",
        "BLOG_DB_URI",
        "sqlite:///var/blog.db",
        str,
        "storage and migrations: the blog database, apart from the users database",
    ),
    Setting(
        "SECRET_KEY",
        "SECRET_KEY",
        "dev-only-secret-change-me-in-production-32b",
        str,
        "users (tokens), frontend (sessions, CSRF) derive their keys from it; the public default "
        "is refused unless DEVELOPMENT_MODE",
    ),
    Setting(
        "DEVELOPMENT_MODE",
        "DEVELOPMENT_MODE",
        False,
        bool,
        "users, frontend: accept the public default SECRET_KEY (make run and the tests set true)",
    ),
    Setting(
        "TOKEN_TTL_SECONDS",
        "TOKEN_TTL_SECONDS",
        14 * 24 * 3600,
        int,
        "users: how long an API token stays valid (14 days)",
    ),
    Setting(
        "SESSION_LIFETIME_SECONDS",
        "SESSION_LIFETIME_SECONDS",
        8 * 3600,
        int,
        "users, frontend: a browser session ends this long after its last request (8 hours)",
    ),
    Setting(
        "PASSWORD_MIN_SCORE",
        "PASSWORD_MIN_SCORE",
        2,
        int,
        "users: the zxcvbn score (0 to 4) a new password needs; 0 turns the guessability check "
        "off, the 8-128 length rule stays",
    ),
    Setting(
        "RATE_LIMITS.WINDOW_SECONDS",
        "RATE_LIMIT_WINDOW_SECONDS",
        300,
        int,
        "users: the fixed window login and registration attempts are counted in",
    ),
    Setting(
        "RATE_LIMITS.LOGIN_PER_ACCOUNT",
        "RATE_LIMIT_LOGIN_PER_ACCOUNT",
        10,
        int,
        "users: login attempts per account (email) and window",
    ),
    Setting(
        "RATE_LIMITS.LOGIN_PER_ACCOUNT_AND_ADDRESS",
        "RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS",
        10,
        int,
        "users: password attempts per account and client address and window",
    ),
    Setting(
        "RATE_LIMITS.LOGIN_SLOWED_PER_ACCOUNT_AND_ADDRESS",
        "RATE_LIMIT_LOGIN_SLOWED_PER_ACCOUNT_AND_ADDRESS",
        3,
        int,
        "users: attempts per address and window on an account past LOGIN_PER_ACCOUNT wrong "
        "passwords (slowed, never closed)",
    ),
    Setting(
        "RATE_LIMITS.LOGIN_PER_ADDRESS",
        "RATE_LIMIT_LOGIN_PER_ADDRESS",
        100,
        int,
        "users: login attempts per client address and window",
    ),
    Setting(
        "RATE_LIMITS.REGISTER_PER_ACCOUNT",
        "RATE_LIMIT_REGISTER_PER_ACCOUNT",
        5,
        int,
        "users: registrations per account (email) and window",
    ),
    Setting(
        "RATE_LIMITS.REGISTER_PER_ADDRESS",
        "RATE_LIMIT_REGISTER_PER_ADDRESS",
        20,
        int,
        "users: registrations per client address and window",
    ),
    Setting(
        "PROXY_HOPS",
        "PROXY_HOPS",
        0,
        int,
        "gateway, frontend: reverse proxies in front whose X-Forwarded-For and -Proto are trusted",
    ),
    Setting(
        "RPC_TIMEOUT",
        "RPC_TIMEOUT",
        10,
        float,
        "every RPC caller: seconds to wait for an answer before a 503",
    ),
    Setting(
        "READ_CACHE_SECONDS",
        "READ_CACHE_SECONDS",
        5,
        float,
        "gateway, frontend: how old an answer of the read cache may be (events clear it at once; "
        "0: no cache)",
    ),
    Setting(
        "READ_CACHE_MAX_BYTES",
        "READ_CACHE_MAX_BYTES",
        67108864,
        int,
        "gateway, frontend: memory the read cache's answers may occupy per process (the oldest "
        "make room)",
    ),
    Setting("GATEWAY.HOST", "GATEWAY_HOST", "127.0.0.1", str, "gateway: the address it listens on"),
    Setting("GATEWAY.PORT", "GATEWAY_PORT", 8000, int, "gateway: the port it listens on"),
    Setting("GATEWAY.WORKERS", "GATEWAY_WORKERS", 1, int, "gateway: gunicorn processes"),
    Setting(
        "GATEWAY.THREADS",
        "GATEWAY_THREADS",
        8,
        int,
        "gateway: threads per process, each with one broker connection",
    ),
    Setting(
        "GATEWAY.MAX_BODY_BYTES",
        "GATEWAY_MAX_BODY_BYTES",
        1024 * 1024,
        int,
        "gateway: larger request bodies are a 413",
    ),
    Setting(
        "GATEWAY.CORS_ORIGINS",
        "GATEWAY_CORS_ORIGINS",
        "*",
        str,
        "gateway: origins browsers may call the API from: `*` or a comma-separated list",
    ),
    Setting(
        "GATEWAY.HEALTH_TIMEOUT",
        "GATEWAY_HEALTH_TIMEOUT",
        2,
        float,
        "gateway: seconds /healthz waits for each service, shorter than RPC_TIMEOUT",
    ),
    Setting(
        "GATEWAY.HEALTH_DETAILS_TOKEN",
        "GATEWAY_HEALTH_DETAILS_TOKEN",
        "",
        str,
        "gateway: /healthz shows its checks only to Authorization: Bearer <token>; empty: never "
        "over HTTP",
    ),
    Setting(
        "FRONTEND.HOST", "FRONTEND_HOST", "127.0.0.1", str, "frontend: the address it listens on"
    ),
    Setting("FRONTEND.PORT", "FRONTEND_PORT", 8080, int, "frontend: the port it listens on"),
    Setting("FRONTEND.WORKERS", "FRONTEND_WORKERS", 1, int, "frontend: gunicorn processes"),
    Setting(
        "FRONTEND.THREADS",
        "FRONTEND_THREADS",
        8,
        int,
        "frontend: threads per process, each with one broker connection",
    ),
    Setting(
        "FRONTEND.SITE_NAME",
        "FRONTEND_SITE_NAME",
        "conduit",
        str,
        "frontend: the site's name in titles and the header",
    ),
    Setting("FRONTEND.PAGE_SIZE", "FRONTEND_PAGE_SIZE", 10, int, "frontend: articles per page"),
    Setting(
        "FRONTEND.PUBLIC_URL",
        "FRONTEND_PUBLIC_URL",
        "",
        str,
        "frontend: where browsers reach it, for absolute links (Atom feeds); empty: "
        "http://HOST:PORT; https makes the cookie Secure",
    ),
    Setting(
        "FRONTEND.COOKIE_SECURE",
        "FRONTEND_COOKIE_SECURE",
        False,
        bool,
        "frontend: send the session cookie over HTTPS only (true behind TLS)",
    ),
    Setting(
        "FRONTEND.MAX_BODY_BYTES",
        "FRONTEND_MAX_BODY_BYTES",
        2 * 1024 * 1024,
        int,
        "frontend: larger request bodies, chunked ones too, are a 413",
    ),
    Setting(
        "BACKUP.DIR",
        "BACKUP_DIR",
        "var/backups",
        str,
        "storage: the backup folder, shared by every storage instance",
    ),
    Setting("BACKUP.KEEP", "BACKUP_KEEP", 10, int, "storage: scheduled backups kept"),
    Setting(
        "BACKUP.INTERVAL_SECONDS",
        "BACKUP_INTERVAL_SECONDS",
        3600,
        float,
        "storage: seconds between scheduled backups; 0: none",
    ),
    Setting(
        "LOGGING.root.level", "LOG_LEVEL", "INFO", str, "every process: the lowest level logged"
    ),
)

ENVIRONMENT_ONLY: tuple[EnvironmentVariable, ...] = (
    EnvironmentVariable(
        "BLOG_CONFIG",
        "config.yaml",
        "every process but nameko run (which takes --config): the configuration file",
    ),
    EnvironmentVariable(
        "RABBIT_MANAGEMENT_URL",
        "http://guest:guest@127.0.0.1:15672",
        "admin.broker_setup: RabbitMQ's management API, as its administrator",
    ),
    EnvironmentVariable(
        "BROKER_PASSWORD_STORAGE",
        None,
        "admin.broker_setup and compose: the password of the broker account conduit.storage",
    ),
    EnvironmentVariable("BROKER_PASSWORD_USERS", None, "the same for conduit.users"),
    EnvironmentVariable("BROKER_PASSWORD_BLOG", None, "the same for conduit.blog"),
    EnvironmentVariable("BROKER_PASSWORD_GATEWAY", None, "the same for conduit.gateway"),
    EnvironmentVariable("BROKER_PASSWORD_FRONTEND", None, "the same for conduit.frontend"),
    EnvironmentVariable("BROKER_PASSWORD_ADMIN", None, "the same for conduit.admin"),
    EnvironmentVariable(
        "RABBITMQ_USER", "blog", "compose: the broker's administrator, used by broker-setup only"
    ),
    EnvironmentVariable("RABBITMQ_PASSWORD", None, "compose: its password"),
    EnvironmentVariable(
        "POSTGRES_USER", "blog", "compose: PostgreSQL's superuser, for the postgres container alone"
    ),
    EnvironmentVariable("POSTGRES_PASSWORD", None, "compose: its password"),
    EnvironmentVariable(
        "BLOG_DB_USER",
        "blog_app",
        "compose: the role storage and migrate connect as (no superuser; owns the two databases)",
    ),
    EnvironmentVariable("BLOG_DB_PASSWORD", None, "compose: its password"),
    EnvironmentVariable("STORAGE_MAX_WORKERS", 10, "compose: MAX_WORKERS of storage"),
    EnvironmentVariable("USERS_MAX_WORKERS", 10, "compose: MAX_WORKERS of users"),
    EnvironmentVariable("BLOG_MAX_WORKERS", 10, "compose: MAX_WORKERS of blog"),
    EnvironmentVariable(
        "BLOG_IMAGE", "blog-platform:latest", "compose: the blog's image, built from ./Dockerfile"
    ),
    EnvironmentVariable(
        "PROXY_IMAGE",
        "blog-platform-proxy:latest",
        "compose: the reverse proxy's image, built from deploy/proxy/Dockerfile",
    ),
    EnvironmentVariable(
        "PYTHON_IMAGE", "python:3.11.11-slim-bookworm", "compose: the blog image's base"
    ),
    EnvironmentVariable(
        "RABBITMQ_IMAGE", "rabbitmq:3.13-management", "compose: the broker's image"
    ),
    EnvironmentVariable(
        "POSTGRES_IMAGE", "postgres:16.4-bookworm", "compose: the database's image"
    ),
    EnvironmentVariable("NGINX_IMAGE", "nginx:1.27.3-bookworm", "compose: the proxy image's base"),
    EnvironmentVariable(
        "PROXY_PUBLISH", 8080, "compose: the one public port (ADDRESS:PORT binds one address)"
    ),
    EnvironmentVariable(
        "HEALTHCHECK_INTERVAL", "15s", "compose: how often Docker runs each health check"
    ),
    EnvironmentVariable(
        "HEALTHCHECK_TIMEOUT", "10s", "compose: how long one health check may take"
    ),
)

COMPOSE_OVERRIDES: dict[str, tuple[str, str]] = {
    "PROXY_HOPS": ("1", "the stack's one nginx proxy sets X-Forwarded-For"),
    "FRONTEND_PUBLIC_URL": (
        "http://127.0.0.1:8080",
        "the frontend listens on 0.0.0.0 behind the proxy: HOST:PORT is no address for a browser",
    ),
    "GATEWAY_WORKERS": ("2", "a container keeps answering while gunicorn restarts one process"),
    "FRONTEND_WORKERS": ("2", "a container keeps answering while gunicorn restarts one process"),
}
"""Variables whose default in ``docker-compose.yml`` differs from ``SETTINGS``: value, reason."""

SETTINGS_BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}
ENVIRONMENT_DEFAULTS: dict[str, str | int | None] = {
    variable.variable: variable.default for variable in ENVIRONMENT_ONLY
}
