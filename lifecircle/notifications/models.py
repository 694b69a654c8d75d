from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to one user, shown in the app and, where they gave an address, sent by e-mail."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("offer")
        CONFIRMATION = "confirmation", _("confirmation")
        REMINDER = "reminder", _("reminder")
        CANCELLATION = "cancellation", _("cancellation")
        INFORMATION = "information", _("information")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed = models.BooleanField(_("e-mailed"), default=False)
    # {"en": [subject, body], "zh-hans": [...]}: the message in every language of the site, for
    # messages written with notify_in_languages; subject and body hold the site's language.
    texts = models.JSONField(_("in each language"), default=dict, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject

    def _shown(self, index, fallback):
        language = get_language() or ""
        for code, pair in self.texts.items():
            if language == code or language.split("-")[0] == code.split("-")[0]:
                return pair[index]
        return fallback

    @property
    def shown_subject(self):
        """The subject in the reader's language when it was written in several, else as stored."""
        return self._shown(0, self.subject)

    @property
    def shown_body(self):
        return self._shown(1, self.body)
