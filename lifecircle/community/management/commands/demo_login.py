import datetime
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.utils import timezone

from lifecircle.accounts.models import Child, Consent, Household, Resident
from lifecircle.accounts.security import DEMO_GROUP
from lifecircle.community.models import Compound


class Command(BaseCommand):
    help = (
        "Create or reset the demo's logins with fresh random passwords, and print them: a staff "
        "administrator, and a resident (a parent with a toddler, acting for her mother with consent). "
        "The resident family is illustrative."
    )

    def handle(self, **options):
        users = get_user_model().objects
        admin, _ = users.get_or_create(username="demo-admin")
        admin.is_staff = admin.is_superuser = True
        admin_password = self.reset_password(admin)
        # The demo's administrator signs in with the password alone; security.needs_second_factor
        # ignores this group in production, where every staff member needs an authenticator app.
        admin.groups.add(Group.objects.get_or_create(name=DEMO_GROUP)[0])
        self.stdout.write("Staff login for the demo (password only, no second factor: never in production): "
                          f"user demo-admin, password {admin_password}")

        compound = Compound.objects.order_by("code").first()
        if compound is None:
            return
        parent_user, _ = users.get_or_create(username="demo-resident")
        resident_password = self.reset_password(parent_user)
        household, _ = Household.objects.get_or_create(compound=compound, address="示例 demo 1-101")
        parent, _ = Resident.objects.get_or_create(
            user=parent_user, defaults={"household": household, "name": "李示例（演示）", "phone": "13800000000",
                                        "birth_date": datetime.date(1992, 4, 18)})
        grandmother, _ = Resident.objects.get_or_create(
            household=household, name="张示例（演示）",
            defaults={"phone": "13900000000", "birth_date": datetime.date(1946, 9, 2)})
        for person in (parent, grandmother):
            if not person.is_verified:
                person.verified_at, person.verified_by = timezone.now(), admin
                person.save()
        Child.objects.get_or_create(household=household, name="王示例（演示）",
                                    defaults={"birth_date": datetime.date.today() - datetime.timedelta(days=2 * 365)})
        Consent.objects.get_or_create(principal=grandmother, proxy=parent, defaults={
            "relation": "daughter", "recorded_by": admin, "evidence": "demo (illustrative)"})
        self.stdout.write(f"Resident login for the demo: user demo-resident, password {resident_password}")

    def reset_password(self, user):
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.save()
        return password
