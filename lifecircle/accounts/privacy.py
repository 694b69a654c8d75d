"""What the accounts app (and the notifications it sends) holds about a person; see pipl.py.

The resident's, child's and household's own rows are erased by pipl.erase_resident itself.
"""
from axes.models import AccessFailureLog, AccessLog as SignInLog
from django_otp.plugins.otp_totp.models import TOTPDevice

from lifecircle.notifications.models import Notification

from .models import AccessLog, Consent, RightsRequest, StaffRole
from .pipl import DELETE, KEEP, register, register_actor_fields, register_retention

register(Consent, links=("principal", "proxy"), on_erase=DELETE)
register(StaffRole, links=("user",), on_erase=DELETE)
register(Notification, links=("user",), on_erase=DELETE)
# A staff member's authenticator: goes with the login; never listed (it holds the shared secret).
register(TOTPDevice, links=("user",), on_erase=DELETE, listed=False)
# The audit log is the sub-district's record of who read what; it is kept for its retention period
# and then deleted (apply_retention). It names the tombstone after erasure, never the person.
register(AccessLog, links=("resident", "child"), on_erase=KEEP, listed=False)  # "my data" lists it as staff reads
register(RightsRequest, links=("resident",), acted_by=("submitted_by",), on_erase=KEEP,
         blank=("details", "new_value", "response"))

register_actor_fields(
    "the staff member who acted; staff accounts are kept with their records",
    "accounts.Resident.verified_by", "accounts.Consent.recorded_by", "accounts.AccessLog.user",
    "accounts.RightsRequest.resolved_by", "admin.LogEntry.user",
)


def _old_audit_log(cutoff):
    return AccessLog.objects.filter(at__lt=cutoff)


def _resolved_requests(cutoff):
    return RightsRequest.objects.filter(resolved_at__lt=cutoff).exclude(status=RightsRequest.Status.OPEN)


register_retention("audit log of staff reads (AccessLog)", _old_audit_log, "RETAIN_AUDIT_LOG_DAYS")
# Sign-in records (django-axes: user name, address, browser) are network logs like the audit log.
register_retention("sign-in log (user name, address, browser)",
                   lambda cutoff: SignInLog.objects.filter(attempt_time__lt=cutoff), "RETAIN_AUDIT_LOG_DAYS")
register_retention("failed sign-ins (user name, address, browser)",
                   lambda cutoff: AccessFailureLog.objects.filter(attempt_time__lt=cutoff), "RETAIN_AUDIT_LOG_DAYS")
register_retention("resolved personal data requests", _resolved_requests, "RETAIN_CLOSED_DAYS")
