"""The wire's JSON (``common.wire``): orjson for plain data, kombu's own
encoding for everything orjson would encode or decode differently."""

from datetime import datetime
from decimal import Decimal

import pytest
from kombu.serialization import dumps, loads
from kombu.utils import json as kombu_json

import rpc_client  # noqa: F401  registers the serializer
from common import wire

PAGE = {
    "result": {
        "articles": [
            {
                "slug": "a-é",
                "tag_list": ["x", "y"],
                "favorites_count": 3,
                "favorited": False,
                "author": {"id": 7, "bio": None},
            }
        ],
        "articles_count": 1,
    },
    "error": None,
}


def round_trip(value):
    content_type, encoding, payload = dumps(value, serializer="json")
    assert content_type == "application/json"
    return payload, loads(payload, content_type, encoding)


def test_plain_data_is_compact_json_made_by_orjson_and_reads_back_the_same():
    payload, back = round_trip(PAGE)
    assert back == PAGE
    assert payload == wire.orjson.dumps(PAGE)


@pytest.mark.parametrize(
    "value",
    [
        {"when": datetime(2026, 11, 27, 12, 30, 1, 5000)},
        {"price": Decimal("1.50")},
        {"big": 2**70, "small": -(2**64)},
    ],
    ids=["datetime", "decimal", "integers beyond 64 bits"],
)
def test_what_orjson_would_change_travels_as_kombu_encoded_it(value):
    payload, back = round_trip(value)
    assert back == value and type(back) is dict
    assert [type(item) for item in back.values()] == [type(item) for item in value.values()]
    assert payload.lstrip() == kombu_json.dumps(value)


def test_integer_keys_become_strings_as_with_the_standard_json():
    assert round_trip({1: "one"})[1] == {"1": "one"}


def test_a_message_of_a_client_using_kombus_own_json_reads_the_same():
    for value in (PAGE, {"when": datetime(2026, 1, 1)}, {"big": 2**70}):
        assert loads(kombu_json.dumps(value), "application/json", "utf-8") == value
