"""System checks for personal data: the field key and the retention periods."""
from django.conf import settings
from django.core.checks import Error, Tags, register

from . import crypto


@register(Tags.security, deploy=True)
def field_key_is_set(app_configs, **kwargs):
    if crypto.configured_key():
        return []
    return [Error(
        "LIFECIRCLE_FIELD_KEY is not set, so ID numbers are encrypted with a key derived from SECRET_KEY.",
        hint='Set it to a key from: python -c "from cryptography.fernet import Fernet; '
             'print(Fernet.generate_key().decode())" and keep a copy with the backups.',
        id="lifecircle.E101",
    )]


@register(Tags.security)
def field_key_is_valid(app_configs, **kwargs):
    try:
        crypto.encrypt("check")
    except Exception as exc:  # noqa: BLE001  (any failure here means the key cannot be used)
        return [Error(str(exc), id="lifecircle.E102")]
    return []


@register()
def retention_periods(app_configs, **kwargs):
    from .pipl import MIN_AUDIT_LOG_DAYS

    errors = []
    if settings.RETAIN_AUDIT_LOG_DAYS < MIN_AUDIT_LOG_DAYS:
        errors.append(Error(
            f"LIFECIRCLE_RETAIN_AUDIT_LOG_DAYS is {settings.RETAIN_AUDIT_LOG_DAYS}; the Cybersecurity Law "
            f"(art. 21(3)) requires network logs to be kept at least six months ({MIN_AUDIT_LOG_DAYS} days).",
            id="lifecircle.E103"))
    if settings.RETAIN_CLOSED_DAYS < 1:
        errors.append(Error("LIFECIRCLE_RETAIN_CLOSED_DAYS must be at least 1 day.", id="lifecircle.E104"))
    return errors
