"""Calendar feed tokens never reach a log line (gunicorn's access log: community/tests/test_serve.py)."""
import logging

from lifecircle.logredact import RedactingFilter, redact


def test_redact_hides_the_token_and_keeps_the_rest():
    line = '127.0.0.1 - - "GET /bookings/calendar/AbC-123_x.ics?x=1 HTTP/1.1" 200'
    assert redact(line) == '127.0.0.1 - - "GET /bookings/calendar/[token].ics?x=1 HTTP/1.1" 200'
    assert redact("GET /bookings/ HTTP/1.1") == "GET /bookings/ HTTP/1.1"


def test_django_log_lines_are_redacted():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s",
                               ("/bookings/calendar/s3cret.ics",), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "Not Found: /bookings/calendar/[token].ics"
