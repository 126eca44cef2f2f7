# One image for every part of the blog: storage, users, blog, gateway, frontend
# and the one-shot database migration. The container's command chooses the part
# (see docker-compose.yml). Why one image and not one per part:
#   - every container runs the same code with the same pinned packages
#     (requirements.txt: what the processes need at run time, no development
#     tools), so parts built at different times cannot drift apart
#     and a fix ships as one build;
#   - the registry stores and the hosts pull one set of layers that all parts
#     share, instead of five images that would be nearly identical anyway.
#
# The base image is a build argument: the official Python image by default; on a
# machine without a registry, the one built from Debian's packages by
# deploy/images/build.sh (--build-arg PYTHON_IMAGE=conduit-local/python:3.11).
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# -- dependencies: a virtualenv in /opt/venv, built in a stage of its own so that
# the CA certificates pip may need never reach the final image.
FROM ${PYTHON_IMAGE} AS dependencies
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# Extra CA certificates for pip (a host behind a TLS-inspecting proxy): drop *.crt
# files into deploy/ca-certificates/ before the build (scripts/test_containers.sh
# copies the host's /usr/local/share/ca-certificates there); none by default.
COPY deploy/ca-certificates/ /usr/local/share/ca-certificates/
RUN if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then \
      update-ca-certificates >/dev/null; \
    fi \
 && python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    /opt/venv/bin/pip install -r /tmp/requirements.txt

# -- the image
FROM ${PYTHON_IMAGE}

# PYTHONPATH: the project's packages import from /app whatever the working
# directory of a command (nameko, gunicorn, python -m admin.healthcheck...).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PATH=/opt/venv/bin:$PATH

# A fixed uid, so the ownership of volumes stays the same across rebuilds.
RUN groupadd --system --gid 10001 blog \
 && useradd --system --uid 10001 --gid blog --home-dir /app --shell /usr/sbin/nologin blog

WORKDIR /app

# Dependencies before the code: this layer is rebuilt only when the pins change.
COPY --from=dependencies /opt/venv /opt/venv

# The code stays owned by root: the processes can read it but not change it.
COPY . .

# Backups are written to /data/backups (a volume in docker-compose.yml; a new
# named volume takes this ownership). var/ holds SQLite files when a container
# is run without PostgreSQL, e.g. for a quick try. gunicorn's control socket
# goes to /tmp: the root file system is read-only in compose.
ENV BACKUP_DIR=/data/backups \
    GUNICORN_CMD_ARGS="--control-socket /tmp/gunicorn.ctl"
RUN mkdir -p /data/backups /app/var && chown -R blog:blog /data /app/var

USER blog

# Secrets from files (swarm secrets): for each VAR_FILE set, VAR is read from
# that file before the command runs (deploy/entrypoint.sh).
ENTRYPOINT ["/app/deploy/entrypoint.sh"]

# No HEALTHCHECK here: each part checks itself differently, so every service in
# docker-compose.yml declares `python -m admin.healthcheck PART` (through the
# entry point, for *_FILE secrets). Outside compose:
# docker run --health-cmd "python -m admin.healthcheck blog" IMAGE ...
# Without a command, the image lists its parts (the usage of the health check).
CMD ["python", "-m", "admin.healthcheck", "--help"]
