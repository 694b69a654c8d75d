"""Staff roles become Django groups, so the staff console shows each role what it may use.

Each app declares what its roles need in its AppConfig, e.g.::

    role_permissions = {"canteen_staff": ["view_order", "change_order"], "administrator": ["*"]}

("*" is every permission of that app). The groups are rebuilt after every migrate, and a user
joins the group of each role they hold. Which *objects* a role sees is a separate rule, kept in
permissions.py.
"""
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from .models import StaffRole

GROUP_PREFIX = "role:"


def sync_role_groups(**kwargs):
    wanted = {role: set() for role in StaffRole.Role.values}
    for config in apps.get_app_configs():
        for role, codenames in getattr(config, "role_permissions", {}).items():
            permissions = Permission.objects.filter(content_type__app_label=config.label)
            if "*" not in codenames:
                permissions = permissions.filter(codename__in=codenames)
            wanted[role].update(permissions.values_list("pk", flat=True))
    for role, permission_ids in wanted.items():
        group, _ = Group.objects.get_or_create(name=GROUP_PREFIX + role)
        group.permissions.set(permission_ids)


def sync_user_groups(user):
    roles = set(StaffRole.objects.filter(user=user).values_list("role", flat=True))
    keep = [g for g in user.groups.all() if not g.name.startswith(GROUP_PREFIX)]
    user.groups.set(keep + [Group.objects.get_or_create(name=GROUP_PREFIX + role)[0] for role in roles])
    if roles and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
