"""Pages speak the reader's language: opening hours in words (not OSM syntax), lists joined with
the language's separator, credits and audit-log columns translated."""
import pytest
from django.template import Context, Template
from django.utils import translation

from lifecircle.accounts.models import AccessLog
from lifecircle.directory.hours import in_words


@pytest.mark.parametrize("language, text, expected", [
    ("zh-hans", "Mo-Fr 08:00-17:30", "周一至周五 08:00–17:30"),
    ("en", "Mo-Fr 08:00-17:30", "Mon–Fri 08:00–17:30"),
    ("zh-hans", "Mo-Fr 06:30-09:00,11:00-13:00; Sa,Su off", "周一至周五 06:30–09:00，11:00–13:00；周六、周日 休息"),
    ("en", "Mo-Fr 06:30-09:00,11:00-13:00; Sa,Su off", "Mon–Fri 06:30–09:00, 11:00–13:00; Sat, Sun closed"),
    ("en", "24/7", "Open 24 hours, every day"),
    ("en", "sunrise-sunset", "sunrise-sunset"),  # not the syntax we read: shown as written
])
def test_opening_hours_in_words(language, text, expected):
    with translation.override(language):
        assert in_words(text) == expected


def test_lists_credits_and_log_columns_in_the_readers_language():
    template = Template("{% load words %}{{ items|join_words }} | {{ credit|credit_words }}")
    context = Context({"items": ["食堂", "托育"], "credit": "© OpenStreetMap contributors, ODbL 1.0"})
    with translation.override("en"):
        assert template.render(context) == "食堂, 托育 | © OpenStreetMap contributors, ODbL 1.0"
    with translation.override("zh-hans"):
        assert template.render(context) == "食堂、托育 | © OpenStreetMap 贡献者, ODbL 1.0"
        assert [str(AccessLog._meta.get_field(f).verbose_name) for f in ("user", "resident", "child")] == [
            "工作人员", "居民", "儿童"]
