"""Part of `make run`: before starting anything, check that the web apps' ports are free.

A taken port would make gunicorn retry and exit, and honcho would then stop every
process with a traceback; this says in one line which port and which variable moves it.
"""

import socket
import sys

from common.config import load_config

WEB_APPS = (("GATEWAY", "GATEWAY_PORT"), ("FRONTEND", "FRONTEND_PORT"))


def port_is_free(host, port):
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def taken_port_messages(config):
    """One message per web app whose configured port is already in use."""
    messages = []
    for section, variable in WEB_APPS:
        host, port = config[section]["HOST"], int(config[section]["PORT"])
        if not port_is_free(host, port):
            messages.append(
                f"Port {port} on {host} is already in use (the {section.lower()}): "
                f"stop what uses it or choose another port, e.g. {variable}={port + 1} make run"
            )
    return messages


def main():
    messages = taken_port_messages(load_config())
    for message in messages:
        print(message, file=sys.stderr)
    sys.exit(1 if messages else 0)


if __name__ == "__main__":
    main()
