"""JSON on the wire, encoded and decoded with orjson.

kombu's ``json`` serializer decodes every object of a message through a Python
hook (for its own ``{"__type__", "__value__"}`` markers) and encodes through a
``JSONEncoder`` subclass, several times slower than orjson on the reply of a page
of articles, and every request is encoded and decoded twice (storage to blog, blog
to the web tier; the figures are in docs/PERFORMANCE.md).

The registration replaces the ``json`` serializer of kombu's registry in each
process that imports ``services.rpc`` or ``rpc_client``: the content type stays
``application/json`` and the text is plain JSON, so messages read the same in
any client. What orjson would encode differently goes through kombu's own
encoder: dates, subclasses of the basic types, values with a ``__json__``
method, integers beyond 64 bits. Such a message starts with a space (valid
JSON, never orjson's output), and a message starting with one, or holding
kombu's typed-value markers, is decoded by kombu: orjson would decode an
integer beyond 64 bits as a float. The differences left: UUIDs travel as their
text (kombu sent a typed marker; no RPC of the project sends one), and a
client without this registration (a bare kombu or nameko client) that sends an
integer beyond 64 bits has it read as a float.
"""

import orjson
from kombu.serialization import registry
from kombu.utils import json as kombu_json

ORJSON_OPTIONS = (
    orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS
)
KOMBU_PREFIX = " "
TYPED_VALUE_MARKER = b'"__type__"'


def dumps(data):
    try:
        return orjson.dumps(data, option=ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError: a type or an integer it leaves to kombu
        return KOMBU_PREFIX + kombu_json.dumps(data)


def loads(payload):
    if isinstance(payload, str):
        payload = payload.encode()
    elif isinstance(payload, (memoryview, bytearray)):
        payload = bytes(payload)
    if payload.startswith(KOMBU_PREFIX.encode()) or TYPED_VALUE_MARKER in payload:
        return kombu_json.loads(payload)
    return orjson.loads(payload)


def register():
    registry.register(
        "json", dumps, loads, content_type="application/json", content_encoding="utf-8"
    )
