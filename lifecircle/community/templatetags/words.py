"""``{{ items|join_words }}``: a list joined the way the reader's language writes one — 、 in
Chinese, ", " in English (the msgid ", " in context "list separator")."""
from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

register = template.Library()


def list_words(items):
    """``items`` as text joined with the reader's list separator."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


@register.filter
def join_words(items):
    return list_words(items)


@register.filter
def credit_words(text):
    """A data source's credit with OpenStreetMap's standard wording in the reader's language
    ("© OpenStreetMap 贡献者"); the licence name and anything else stay as the source wrote them."""
    return str(text or "").replace("OpenStreetMap contributors", _("OpenStreetMap contributors"))
