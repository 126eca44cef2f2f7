"""Turns the merged compose file into a file ``docker stack deploy`` accepts.

    docker compose -f docker-compose.yml -f deploy/swarm/docker-compose.swarm.yml \\
        config --format json | python3 deploy/swarm/stack.py > stack.json

``docker compose config`` has already merged the two files and filled in every
variable. What a swarm does not know or does differently is taken out here, so
that both files stay the one description of the system:

- ``build``, ``depends_on`` (start order follows health: a task that starts
  before what it needs fails its health check and is replaced), ``restart``
  (``deploy.restart_policy``), ``init``, ``shm_size``, ``security_opt``,
  ``stop_grace_period`` stays;
- bind mounts (a swarm node has no project folder; files come as ``configs``);
  ``tmpfs:`` entries, which a swarm ignores, become tmpfs volumes;
- a variable ``VAR`` whose ``VAR_FILE`` is set (the secret replaces it);
- names compose gave networks and volumes (the stack names its own), and a
  published port's host address; a service found by DNS per task
  (``endpoint_mode: dnsrr``) publishes on its own node (``mode: host``), as a
  swarm requires: the routing mesh works only with a virtual IP.

Reads JSON on stdin, writes JSON (which is YAML) on stdout. Only the standard library.
"""

import json
import sys

SERVICE_KEYS = {
    "image",
    "command",
    "entrypoint",
    "environment",
    "healthcheck",
    "deploy",
    "networks",
    "volumes",
    "ports",
    "secrets",
    "configs",
    "cap_drop",
    "cap_add",
    "read_only",
    "tmpfs",
    "stop_grace_period",
    "stop_signal",
    "user",
    "working_dir",
    "hostname",
    "init",
    "labels",
    "ulimits",
    "sysctls",
}


def service_for_swarm(service):
    service = {
        key: value for key, value in service.items() if key in SERVICE_KEYS and value is not None
    }
    environment = service.get("environment") or {}
    for name in [name for name in environment if name + "_FILE" in environment]:
        del environment[name]
    service["volumes"] = [
        volume for volume in service.get("volumes", []) if volume.get("type") != "bind"
    ]
    # A swarm ignores the short ``tmpfs:`` list: the same mounts as tmpfs volumes.
    for entry in service.pop("tmpfs", []):
        target, _, options = entry.partition(":")
        mount = {"type": "tmpfs", "target": target}
        size = dict(option.split("=", 1) for option in options.split(",") if "=" in option)
        if "size" in size:
            mount["tmpfs"] = {"size": size_bytes(size["size"])}
        service["volumes"].append(mount)
    if not service["volumes"]:
        del service["volumes"]
    dnsrr = (service.get("deploy") or {}).get("endpoint_mode") == "dnsrr"
    for port in service.get("ports", []):
        port.pop("host_ip", None)
        port["published"] = int(port["published"])
        if dnsrr:
            port["mode"] = "host"
    if isinstance(service.get("networks"), dict):
        service["networks"] = sorted(service["networks"])
    deploy = service.setdefault("deploy", {})
    limits = (deploy.get("resources") or {}).get("limits") or {}
    if "cpus" in limits:
        limits["cpus"] = str(limits["cpus"])
    if "memory" in limits:
        limits["memory"] = str(limits["memory"])
    healthcheck = service.get("healthcheck") or {}
    healthcheck.pop("start_interval", None)
    return service


def size_bytes(text):
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    text = text.strip().lower().rstrip("b")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def stack_for_swarm(config):
    stack = {
        "version": "3.9",
        "services": {
            name: service_for_swarm(service) for name, service in config["services"].items()
        },
    }
    for section in ("networks", "volumes"):
        stack[section] = {
            name: {
                key: value
                for key, value in (spec or {}).items()
                if key not in ("name", "external") or spec.get("external")
            }
            for name, spec in (config.get(section) or {}).items()
        }
    for section in ("secrets", "configs"):
        if config.get(section):
            stack[section] = {
                name: {
                    key: value
                    for key, value in spec.items()
                    if key in ("external", "file", "name")
                    and not (key == "name" and not spec.get("external"))
                }
                for name, spec in config[section].items()
            }
    return stack


if __name__ == "__main__":
    json.dump(stack_for_swarm(json.load(sys.stdin)), sys.stdout, indent=2)
    sys.stdout.write("\n")
