"""What residents type: length limits and HTML sanitising (nh3), shared by the pages and the API.

Titles and subjects are plain text: any markup is removed and the text is stored as typed, so the
templates' autoescaping shows it safely. Bodies keep a tiny set of harmless tags (paragraphs, line
breaks, emphasis, lists, quotes and http(s)/mailto links); everything else – scripts, styles,
event handlers, images, frames, javascript: links – is removed by nh3 before anything is stored.
"""
import html
import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TITLE_MAX = 120
BODY_MAX = 5000
REASON_MAX = 500

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "blockquote", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener noreferrer"


def plain_text(value):
    """The text of an HTML fragment with every tag removed (script and style content included)."""
    return html.unescape(nh3.clean(value or "", tags=set()))


def clean_title(value, label=None, limit=TITLE_MAX):
    """A one-line plain-text title of at most ``limit`` characters, or ValidationError saying why not."""
    label = label or _("The title")
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(_("%(label)s is %(length)d characters long; the limit is %(limit)d.")
                              % {"label": label, "length": len(value), "limit": limit}, code="too_long")
    value = re.sub(r"\s+", " ", plain_text(value)).strip()
    if not value:
        raise ValidationError(_("%(label)s is empty.") % {"label": label}, code="empty")
    return value


def clean_body(value, label=None, limit=BODY_MAX):
    """Sanitised HTML of at most ``limit`` characters as typed, or ValidationError saying why not."""
    label = label or _("The text")
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(_("%(label)s is %(length)d characters long; the limit is %(limit)d.")
                              % {"label": label, "length": len(value), "limit": limit}, code="too_long")
    cleaned = nh3.clean(value, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                        link_rel=LINK_REL, strip_comments=True).strip()
    if not plain_text(cleaned).strip():
        raise ValidationError(_("%(label)s is empty.") % {"label": label}, code="empty")
    return cleaned


def clean_reason(value):
    """A moderator's reason: required, plain text, at most REASON_MAX characters."""
    value = (value or "").strip()
    if len(value) > REASON_MAX:
        raise ValidationError(_("The reason is %(length)d characters long; the limit is %(limit)d.")
                              % {"length": len(value), "limit": REASON_MAX}, code="too_long")
    value = re.sub(r"[ \t]+", " ", plain_text(value)).strip()
    if not value:
        raise ValidationError(_("Give a reason: the author will see it."), code="empty")
    return value
