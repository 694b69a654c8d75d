"""Send a notification: stored for the app at once, e-mailed once the change is committed.

``notify_in_languages`` writes a message in every language of the site, so each reader sees it in
theirs (``Notification.shown_subject``); the e-mail and the stored subject and body are in the
site's language. ``notify`` stores one text as given."""
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation

from .models import Notification

log = logging.getLogger(__name__)


def notify(user, kind, subject, body, url=""):
    """Tell ``user`` something. The e-mail goes only if the surrounding transaction commits, so a
    refused or rolled-back change never sends one."""
    if user is None:
        return None
    notification = Notification.objects.create(user=user, kind=kind, subject=subject, body=body, url=url)
    if user.email:
        transaction.on_commit(lambda: _email(notification.pk))
    return notification


def notify_in_languages(user, kind, render, url=""):
    """Tell ``user`` something written by ``render()`` → (subject, body), called once per language."""
    if user is None:
        return None
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            subject, body = render()
            texts[code] = [str(subject)[:200], str(body)]
    subject, body = texts.get(settings.LANGUAGE_CODE) or next(iter(texts.values()))
    notification = notify(user, kind, subject, body, url)
    notification.texts = texts
    notification.save(update_fields=["texts"])
    return notification


def _email(pk):
    notification = Notification.objects.select_related("user").get(pk=pk)
    try:
        send_mail(notification.subject, f"{notification.body}\n\n{notification.url}".strip(), None,
                  [notification.user.email])
    except OSError as exc:  # a mail server being down must not undo the booking it reports
        log.warning("could not e-mail notification %s: %s", pk, exc)
        return
    Notification.objects.filter(pk=pk).update(emailed=True)
