# One image for every part of the blog: storage, users, blog, gateway, frontend
# and the one-shot database migration. The container's command chooses the part
# (see docker-compose.yml). Why one image and not one per part:
#   - every container runs the same code with the same pinned packages
#     (requirements.txt), so parts built at different times cannot drift apart
#     and a fix ships as one build;
#   - the registry stores and the hosts pull one set of layers that all parts
#     share, instead of five images that would be nearly identical anyway.
FROM python:3.11.11-slim-bookworm

# PYTHONPATH: the project's packages import from /app whatever the working
# directory of a command (nameko, gunicorn, python -m admin.healthcheck...).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed uid, so the ownership of volumes stays the same across rebuilds.
RUN groupadd --system --gid 10001 blog \
 && useradd --system --uid 10001 --gid blog --home-dir /app --shell /usr/sbin/nologin blog

WORKDIR /app

# Dependencies before the code: this layer is rebuilt only when the pins change.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The code stays owned by root: the processes can read it but not change it.
COPY . .

# Backups are written to /data/backups (a volume in docker-compose.yml; a new
# named volume takes this ownership). var/ holds SQLite files when a container
# is run without PostgreSQL, e.g. for a quick try.
ENV BACKUP_DIR=/data/backups
RUN mkdir -p /data/backups /app/var && chown -R blog:blog /data /app/var

USER blog

# No HEALTHCHECK here: each part checks itself differently, so every service in
# docker-compose.yml declares `python -m admin.healthcheck PART`. Outside
# compose: docker run --health-cmd "python -m admin.healthcheck blog" IMAGE ...
# Without a command, the image lists its parts (the usage of the health check).
CMD ["python", "-m", "admin.healthcheck", "--help"]
