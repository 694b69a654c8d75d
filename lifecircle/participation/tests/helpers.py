"""Fixed days and small helpers for the participation tests (no test depends on today)."""
import contextlib
import datetime
import io
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The phases of the test process "P" in 2026; 29–31 March fall between two phases.
PHASES = [
    ("collect", datetime.date(2026, 3, 1), datetime.date(2026, 3, 14)),
    ("discuss", datetime.date(2026, 3, 15), datetime.date(2026, 3, 28)),
    ("vote", datetime.date(2026, 4, 1), datetime.date(2026, 4, 14)),
    ("carry_out", datetime.date(2026, 4, 15), datetime.date(2026, 6, 30)),
    ("report_back", datetime.date(2026, 7, 1), datetime.date(2026, 7, 31)),
]
COLLECT_DAY = datetime.date(2026, 3, 5)
DISCUSS_DAY = datetime.date(2026, 3, 20)
GAP_DAY = datetime.date(2026, 3, 30)
VOTE_DAY = datetime.date(2026, 4, 5)
CARRY_OUT_DAY = datetime.date(2026, 5, 1)
REPORT_DAY = datetime.date(2026, 7, 10)
BEFORE_DAY = datetime.date(2026, 2, 1)
INSIDE = (121.445, 31.233)  # inside the MINI boundary (121.440–121.450, 31.230–31.236)


@contextlib.contextmanager
def on(day, hour=12, minute=0):
    """Pretend it is ``day`` (at noon, Shanghai time) inside the block."""
    moment = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def image_bytes(kind="JPEG", size=(40, 30), color=(200, 40, 40), **save):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=kind, **save)
    return buffer.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)
