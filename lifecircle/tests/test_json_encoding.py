import datetime
import decimal
import json

from django.utils.translation import gettext_lazy
from ninja.responses import NinjaJSONEncoder

from lifecircle import json_encoding
from lifecircle.json_encoding import APIRenderer


def test_the_api_writes_what_djangos_encoder_wrote():
    data = {
        "at": datetime.datetime(2026, 12, 6, 4, 5, 6, 789123, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 12, 6), "cutoff": datetime.time(9, 30),
        "price": decimal.Decimal("12.50"), "label": gettext_lazy("Free"), "name": "江宁路街道",
        "by_hour": {8: 3}, "share": 0.1, "nothing": None,
    }
    written = APIRenderer().render(None, data, response_status=200)
    assert isinstance(written, bytes)
    # the same values in the same forms (dates as Django writes them: milliseconds, Z for UTC)
    assert json.loads(written) == json.loads(json.dumps(data, cls=NinjaJSONEncoder))
    assert b'"2026-12-06T04:05:06.789Z"' in written
    assert "江宁路街道".encode() in written  # UTF-8, not \u escapes


def test_a_number_orjson_refuses_is_written_all_the_same():
    huge = 10**30
    assert json.loads(json_encoding.dumps({"id": huge})) == {"id": huge}


def test_what_json_has_no_type_for_goes_to_default():
    written = json_encoding.dumps({"at": datetime.datetime(2026, 1, 2, 3, 4, 5)}, default=lambda value: "then")
    assert json.loads(written) == {"at": "then"}


def test_numpy_numbers_are_written_as_numbers():
    import numpy as np

    assert json.loads(json_encoding.dumps({"n": np.int64(3), "x": np.float64(0.5), "a": np.arange(2)})) == {
        "n": 3, "x": 0.5, "a": [0, 1]}
