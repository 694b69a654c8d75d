"""Illustrative home care for the Jiangning Road demo: carers at the care home and the senior
service centre, sixteen made-up clients (each with a recorded health-record consent) with their
care plans, two weeks of visits from this Monday, and today's rounds planned on the street network
(unless today's rounds exist already).

Everything is marked illustrative: the people, their needs and the carers are made up. Safe to run
again: people, carers and plans are found by their demo names; visits already made are kept.
"""
import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from lifecircle import errors
from lifecircle.accounts.models import Household, Resident, StaffRole
from lifecircle.community.models import Compound, SubDistrict
from lifecircle.directory.models import Facility
from lifecircle.eldercare.models import HealthConsent
from lifecircle.homecare import services
from lifecircle.homecare.models import CarePlan, Carer, DayPlan

SUBDISTRICT = "jiangning-road"
T = datetime.time
EVERY_DAY, WEEKDAYS = list(range(7)), [0, 1, 2, 3, 4]

# provider, name, skills, shift, travels
CARERS = [
    ("care-home-changping", "示例护士 周敏", ["nursing", "personal_care"], (T(6, 30), T(14, 30)), "walk"),
    ("care-home-changping", "示例护理员 吴芳", ["personal_care", "cognitive_support"], (T(7, 30), T(15, 30)), "walk"),
    ("care-home-changping", "示例助餐员 郑强", [], (T(10, 0), T(14, 0)), "ebike"),
    ("senior-service-center", "示例康复师 冯丽", ["rehabilitation", "personal_care"], (T(8, 0), T(16, 0)), "walk"),
    ("senior-service-center", "示例护理员 陈静", ["personal_care", "nursing"], (T(6, 30), T(14, 30)), "ebike"),
]

INSULIN = ("nursing", EVERY_DAY, T(7, 0), T(7, 45), 15, "早餐前注射胰岛素 insulin before breakfast")
LUNCH = ("meal_delivery", EVERY_DAY, T(11, 0), T(12, 0), 5, "午餐送餐 lunch")
WASH = ("personal_care", [0, 2, 4], T(8, 30), T(11, 0), 45, "")
REHAB = ("rehabilitation", [1, 3], T(9, 0), T(15, 0), 40, "")
MEMORY = ("cognitive_support", WEEKDAYS, T(13, 0), T(15, 0), 30, "")
LOOK_IN = ("check_visit", [0, 3], T(9, 0), T(16, 0), 10, "")

# compound, name, provider, care level, needs
CLIENTS = [
    ("hengde-li", "示例 王阿婆", "care-home-changping", 4, [INSULIN, LUNCH, WASH]),
    ("xiude-fang", "示例 李老伯", "care-home-changping", 3, [LUNCH, WASH]),
    ("zhongle-li", "示例 张阿姨", "care-home-changping", 5, [INSULIN, LUNCH, MEMORY]),
    ("wuding-fang", "示例 陈爷爷", "care-home-changping", 2, [LUNCH, LOOK_IN]),
    ("jurong-li", "示例 刘奶奶", "care-home-changping", 4, [WASH, MEMORY]),
    ("lianbao-li", "示例 赵伯伯", "care-home-changping", 3, [LUNCH]),
    ("yongle-li", "示例 孙阿婆", "care-home-changping", 2, [LOOK_IN, LUNCH]),
    ("sanle-li", "示例 周老师", "care-home-changping", 3, [INSULIN]),
    ("changping-apartments", "示例 吴阿姨", "care-home-changping", 4, [WASH, LUNCH]),
    ("tongan-li", "示例 郑爷爷", "senior-service-center", 3, [REHAB, INSULIN]),
    ("xinan-li", "示例 钱奶奶", "senior-service-center", 4, [REHAB, WASH]),
    ("youyi-cun", "示例 冯老伯", "senior-service-center", 2, [REHAB]),
    ("sanxing-fang", "示例 褚阿婆", "senior-service-center", 5, [INSULIN, WASH]),
    ("wenyu-li", "示例 卫大爷", "senior-service-center", 3, [REHAB]),
    ("yuyao-estate", "示例 蒋阿姨", "senior-service-center", 2, [WASH]),
    ("haifang-cun", "示例 沈奶奶", "senior-service-center", 3, [INSULIN, REHAB]),
]


class Command(BaseCommand):
    help = ("Load illustrative home care for the Jiangning Road demo (run load_demo first): carers, clients "
            "with consent and care plans, two weeks of visits, today's rounds. Safe to run again.")

    def handle(self, **options):
        subdistrict = SubDistrict.objects.filter(code=SUBDISTRICT).first()
        if subdistrict is None:
            raise CommandError("The Jiangning Road demo is not loaded; run manage.py load_demo first.")
        codes = {row[0] for row in CARERS}
        found = {f.code: f for f in Facility.objects.filter(subdistrict=subdistrict, code__in=codes)}
        if set(found) != codes:
            raise CommandError(f"The demo lacks these providers: {', '.join(sorted(codes - set(found)))}")
        User = get_user_model()
        staff, created = User.objects.get_or_create(username="demo-homecare-staff", defaults={"is_staff": True})
        if created:
            staff.set_unusable_password()
            staff.save()
        today = timezone.localdate()
        monday = today - datetime.timedelta(days=today.weekday())
        now = timezone.now()
        with transaction.atomic():
            for code in codes:
                StaffRole.objects.get_or_create(user=staff, role=StaffRole.Role.CENTRE_MANAGER, facility=found[code],
                                                grid=None, defaults={"subdistrict": subdistrict})
            for code, name, skills, (start, end), profile in CARERS:
                Carer.objects.update_or_create(provider=found[code], name=name, defaults={
                    "skills": skills, "shift_start": start, "shift_end": end, "profile": profile, "active": True,
                    "illustrative": True})
            plans = 0
            for compound_code, name, code, level, needs in CLIENTS:
                resident = Resident.objects.filter(name=name, household__compound__subdistrict=subdistrict).first()
                if resident is None:
                    compound = Compound.objects.get(subdistrict=subdistrict, code=compound_code)
                    home = Household.objects.create(compound=compound, address="示例")
                    resident = Resident.objects.create(household=home, name=name, birth_date=datetime.date(1938, 1, 1),
                                                       verified_at=now, verified_by=staff)
                if HealthConsent.current(resident) is None:
                    HealthConsent.objects.create(resident=resident, evidence="示例同意书 illustrative form",
                                                 recorded_by=staff)
                plan = CarePlan.objects.filter(resident=resident, provider=found[code], status="active").first()
                if plan is None:
                    plan = services.create_plan(
                        staff, resident, found[code], level, monday, [
                            {"kind": k, "weekdays": w, "window_start": a, "window_end": b, "minutes": m, "note": note}
                            for k, w, a, b, m, note in needs], monday,
                        assessment="示例评估（illustrative assessment）", illustrative=True)
                    plans += 1
                services.generate_visits(staff, plan, monday, monday + datetime.timedelta(days=13))
            rounds = 0
            for code in sorted(codes):
                if DayPlan.objects.filter(provider=found[code], date=today).exists():
                    continue  # planned already (perhaps re-planned by staff): keep it
                try:
                    rounds += services.plan_day(staff, found[code], today).rounds.count()
                except errors.Refused as exc:
                    self.stderr.write(f"{found[code].name}: {exc.message}")
        self.stdout.write(f"Home care (illustrative): {len(CARERS)} carers, {plans} new care plans, "
                          f"{rounds} rounds planned for {today}.")
