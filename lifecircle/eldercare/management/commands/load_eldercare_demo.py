"""Illustrative senior-care data for the Jiangning Road demo: care places at the integrated senior
service centre, the Happiness Mini Canteen and the care home, and two weeks of activities at the
activity centres from the Monday of the current week.

All of it is marked illustrative (made up for the demo). Safe to run again: rows are updated in
place, and sign-ups and admissions are never touched.
"""
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from lifecircle.community.models import SubDistrict
from lifecircle.directory.models import Facility
from lifecircle.eldercare.models import Activity, PlaceType

SUBDISTRICT = "jiangning-road"

# facility, kind, reserved for cognitive-impairment care, places, longest stay in days
PLACES = [
    ("senior-service-center", PlaceType.Kind.DAILY, False, 30, None),
    ("senior-service-center", PlaceType.Kind.DAILY, True, 10, None),
    ("happiness-mini-canteen", PlaceType.Kind.DAILY, False, 10, None),
    ("care-home-changping", PlaceType.Kind.SHORT_TERM, False, 20, 30),
    ("care-home-changping", PlaceType.Kind.MEDIUM_TERM, False, 10, 180),
    ("care-home-changping", PlaceType.Kind.SHORT_TERM, True, 6, 30),
]

# facility, title, English title, description, English description, weekdays (0 = Monday), start, end, places
ACTIVITIES = [
    ("senior-activity-beijing", "太极拳晨练", "Morning tai chi", "跟着老师慢练二十四式太极拳。",
     "Slow 24-form tai chi with a teacher.", [0, 2, 4], (9, 0), (10, 0), 30),
    ("senior-activity-lianbao", "书法班", "Calligraphy class", "毛笔楷书入门，笔墨由活动室提供。",
     "Regular-script brush calligraphy for beginners; brushes and ink provided.", [1], (14, 0), (15, 30), 15),
    ("senior-activity-zhongle", "合唱团排练", "Choir rehearsal", "众乐里合唱团每周排练，欢迎新团员。",
     "The weekly rehearsal of the Zhongle Li choir; new singers welcome.", [3], (14, 0), (16, 0), 25),
    ("senior-service-center", "智能手机课堂", "Smartphone class",
     "学习用手机挂号、付款和视频通话。", "Booking a doctor, paying and video calls on a phone.", [2], (14, 0),
     (15, 30), 20),
    ("senior-service-center", "健康讲座：高血压的日常管理", "Health talk: living with high blood pressure",
     "社区医生讲解血压测量和饮食。", "A community doctor on measuring blood pressure and diet.", [4], (9, 30),
     (10, 30), 40),
    ("happiness-mini-canteen", "手工编织", "Knitting circle", "饭后一起织围巾、聊家常。",
     "Knitting scarves and chatting after lunch.", [5], (13, 30), (15, 0), 12),
    ("senior-activity-jiaozhou", "棋牌活动", "Chess and cards afternoon", "象棋、围棋和扑克。",
     "Chinese chess, go and cards.", [1, 3], (13, 30), (16, 0), 20),
]


class Command(BaseCommand):
    help = ("Load illustrative senior-care data for the Jiangning Road demo (run load_demo first): care "
            "places and two weeks of activities from this Monday. Safe to run again.")

    def handle(self, **options):
        subdistrict = SubDistrict.objects.filter(code=SUBDISTRICT).first()
        if subdistrict is None:
            raise CommandError("The Jiangning Road demo is not loaded; run manage.py load_demo first.")
        codes = {row[0] for row in PLACES} | {row[0] for row in ACTIVITIES}
        facilities = {f.code: f for f in Facility.objects.filter(subdistrict=subdistrict, code__in=codes)}
        missing = sorted(codes - set(facilities))
        if missing:
            raise CommandError(f"The demo lacks these facilities: {', '.join(missing)}")
        today = timezone.localdate()
        monday = today - datetime.timedelta(days=today.weekday())
        activities = 0
        with transaction.atomic():
            for code, kind, cognitive, capacity, max_days in PLACES:
                PlaceType.objects.update_or_create(
                    facility=facilities[code], kind=kind, cognitive_care=cognitive,
                    defaults={"capacity": capacity, "max_days": max_days, "active": True, "illustrative": True})
            for code, title, title_en, text, text_en, weekdays, start, end, capacity in ACTIVITIES:
                for week in (0, 1):
                    for weekday in weekdays:
                        day = monday + datetime.timedelta(days=7 * week + weekday)
                        Activity.objects.update_or_create(
                            facility=facilities[code], title=title, start=local(day, start),
                            defaults={"title_en": title_en, "description": text, "description_en": text_en,
                                      "end": local(day, end), "capacity": capacity, "illustrative": True})
                        activities += 1
        self.stdout.write(self.style.SUCCESS(
            f"Senior care demo: {len(PLACES)} place types, {activities} activities from {monday}."))
        self.stdout.write("Places and activities are illustrative, not a real programme.")


def local(day, hour_minute):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(*hour_minute)))
