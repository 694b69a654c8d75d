from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lifecircle.accounts"
    verbose_name = _("居民与工作人员 Residents and staff")
    staff_links = [("accounts:password_reset_staff", _("Reset a resident's password"))]
    role_permissions = {
        "administrator": ["*"],
        "grid_worker": ["view_resident", "change_resident", "view_household", "view_child", "add_consent",
                        "view_consent", "change_consent"],
    }
    resident_links = [("accounts:my_data", _("My data"))]
    staff_links = [("accounts:privacy_requests", _("Personal data requests"))]

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete

        from . import checks  # noqa: F401  (registers the system checks)
        from .models import StaffRole
        from .pipl import erase_account_owner
        from .roles import sync_role_groups, sync_user_groups

        from django.contrib.auth.signals import user_logged_in

        from .security import limit_staff_session

        user_logged_in.connect(limit_staff_session, dispatch_uid="lifecircle-staff-session-length")
        post_migrate.connect(sync_role_groups, dispatch_uid="lifecircle-role-groups")
        for signal in (post_save, post_delete):
            signal.connect(lambda instance, **kw: sync_user_groups(instance.user), sender=StaffRole, weak=False,
                           dispatch_uid=f"lifecircle-user-groups-{signal}")
        # Deleting a login erases the resident behind it: no personal data outlives the account.
        pre_delete.connect(erase_account_owner, sender=get_user_model(), dispatch_uid="lifecircle-erase-account-owner")
