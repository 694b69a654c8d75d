"""Illustrative lectures, events and room bookings at the demo's service centre.

Run after load_demo (load_demo calls it). Everything is placed in the two weeks from today and
marked illustrative; running it again changes nothing (on a later day it moves the demo events
along, so the demo always shows upcoming ones).
"""
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from lifecircle.accounts.models import Household, Resident
from lifecircle.bookings import services
from lifecircle.bookings.models import Booking, Event
from lifecircle.community.models import Compound
from lifecircle.directory.models import Facility

CENTRE_CODES = ["jinglin-community-center"]

#: (code, kind, room kind, day offset, start, end, places, title, title_en, description, description_en)
EVENTS = [
    ("demo-anti-fraud", "lecture", "lecture_hall", 2, "14:00", "15:30", 80,
     "老年人防诈骗讲座", "Lecture: protecting seniors from fraud",
     "派出所民警讲解常见电信诈骗手法与防范要点，现场答疑。",
     "Officers of the local police station explain common phone and online scams and how to avoid them; questions welcome."),
    ("demo-smartphone", "class", "classroom", 3, "09:30", "11:00", 25,
     "智能手机课堂：挂号与出行", "Smartphone class: hospital appointments and transport",
     "志愿者一对一教学：用手机预约挂号、查公交、使用随申码。请带上手机。",
     "Volunteers teach one to one: booking a hospital appointment, finding buses, using the Suishen code. Bring your phone."),
    ("demo-party-class", "lecture", "lecture_hall", 5, "14:00", "16:00", 100,
     "社区党课：江宁路的红色足迹", "Party class: red heritage of Jiangning Road",
     "讲述街道内革命旧址背后的故事，课后可参观展示厅。",
     "Stories behind the revolutionary sites of the sub-district; the exhibition hall is open afterwards."),
    ("demo-calligraphy", "activity", "studio", 6, "10:00", "11:30", 15,
     "亲子书法体验", "Parent-and-child calligraphy",
     "书法老师带领亲子家庭体验毛笔字，材料由中心提供。",
     "A calligraphy teacher introduces families to the brush; materials are provided."),
    ("demo-blood-pressure", "lecture", "lecture_hall", 9, "09:30", "11:00", 100,
     "健康讲座：高血压的日常管理", "Health talk: living with high blood pressure",
     "社区卫生服务中心医生讲解用药、饮食与运动，现场可免费测血压。",
     "A doctor of the community health centre talks about medication, diet and exercise; free blood-pressure checks."),
    ("demo-choir", "performance", "performance_stage", 12, "14:00", "15:30", 60,
     "社区合唱团开放排练", "Community choir: open rehearsal",
     "欢迎居民来听、来唱，排练结束后可报名加入合唱团。",
     "Come to listen or to sing; you can join the choir after the rehearsal."),
    # its code starts with the Happy 18 bar's meeting_code: the bar's page lists it as its meeting
    ("happy18-meeting-monthly", "activity", "meeting_room", 10, "19:00", "20:30", 30,
     "快乐18议事吧月度议事会", "Happy 18 discussion bar: monthly meeting",
     "每月一次，居民与居委会、物业一起讨论议事吧里的话题，商定下一步怎么做。欢迎旁听和发言。",
     "Once a month residents, the neighbourhood committee and the property manager talk over the bar's topics "
     "and agree on what to do next. Everyone may listen and speak."),
]

#: (room kind, day offset, start, end, attendees, group, purpose)
BOOKINGS = [
    ("meeting_room", 1, "19:00", "20:00", 12, "第三楼组（示例）", "楼组长例会（示例） Building leaders' meeting (illustrative)"),
    ("classroom", 4, "15:00", "17:00", 20, "书画社（示例）", "书画社练习（示例） Calligraphy club practice (illustrative)"),
    ("performance_stage", 8, "18:00", "19:30", 30, "舞蹈队（示例）", "舞蹈队排练（示例） Dance group rehearsal (illustrative)"),
]


def _at(day, text):
    hour, minute = (int(x) for x in text.split(":"))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _upsert(model, lookup, values):
    """Create, or update only what differs (so a second run writes nothing)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.save()
    return obj, False


class Command(BaseCommand):
    help = "Load illustrative events, lectures and room bookings at the demo's service centre. Safe to run again."

    def handle(self, **options):
        centre = (Facility.objects.filter(code__in=CENTRE_CODES).first()
                  or Facility.objects.filter(category__slug="community_center", rooms__bookable=True).first())
        if centre is None:
            raise CommandError("No service centre with bookable rooms: load the demo first (manage.py load_demo).")
        today = timezone.localdate()
        with transaction.atomic():
            events = self._events(centre, today)
            bookings = self._bookings(centre, today)
        self.stdout.write(self.style.SUCCESS(
            f"{centre.name}: {events} illustrative event(s) and {bookings} booking(s) in the next two weeks."))

    def _day(self, centre, today, offset, start, end):
        """The day ``offset`` days on, or the next one the centre is open for the whole time."""
        for extra in range(7):
            day = today + datetime.timedelta(days=offset + extra)
            if services.is_open_throughout(centre, _at(day, start), _at(day, end)):
                return day
        return today + datetime.timedelta(days=offset)

    def _events(self, centre, today):
        rooms = {}
        for room in centre.rooms.order_by("code"):
            rooms.setdefault(room.kind, room)
        count = 0
        for code, kind, room_kind, offset, start, end, places, title, title_en, text, text_en in EVENTS:
            if code.startswith("happy18-"):  # the bar meets on the 18th (participation's demo says so)
                offset = next(n for n in range(1, 33) if (today + datetime.timedelta(days=n)).day == 18)
            day = self._day(centre, today, offset, start, end)
            room = rooms.get(room_kind)
            begins, ends = _at(day, start), _at(day, end)
            if room is not None and services.room_clash(
                    room, begins, ends, exclude_event=Event.objects.filter(facility=centre, code=code)
                    .values_list("pk", flat=True).first()) is not None:
                room = None  # someone booked the room meanwhile: keep the event, without the room
            _upsert(Event, {"facility": centre, "code": code}, {
                "kind": kind, "room": room, "title": title, "title_en": title_en, "description": text,
                "description_en": text_en, "start": begins, "end": ends, "capacity": places,
                "registration_opens": None, "registration_closes": None, "illustrative": True,
            })
            count += 1
        return count

    def _booker(self, centre):
        compound = Compound.objects.filter(subdistrict=centre.subdistrict).order_by("code").first()
        if compound is None:
            raise CommandError(f"{centre.name}: its sub-district has no compounds; load the demo first.")
        household, _ = Household.objects.get_or_create(compound=compound, address="示例 demo")
        resident, _ = _upsert(Resident, {"household": household, "name": "示例居民（演示）"}, {
            "birth_date": datetime.date(1958, 4, 12),
            "health_notes": "Illustrative demo resident; not a real person.",
        })
        if not resident.is_verified:
            resident.verified_at = timezone.now()
            resident.save(update_fields=["verified_at"])
        return resident

    def _bookings(self, centre, today):
        rooms = {}
        for room in centre.rooms.filter(bookable=True).order_by("code"):
            rooms.setdefault(room.kind, room)
        booker = self._booker(centre)
        count = 0
        for room_kind, offset, start, end, attendees, group, purpose in BOOKINGS:
            room = rooms.get(room_kind)
            if room is None:
                continue
            day = self._day(centre, today, offset, start, end)
            begins, ends = _at(day, start), _at(day, end)
            existing = Booking.objects.filter(room=room, booker=booker, purpose=purpose).first()
            if existing is not None and (existing.start, existing.end) == (begins, ends):
                count += 1
                continue
            if existing is not None:
                existing.delete()  # an older run's slot: make it again for the new dates
            if services.room_clash(room, begins, ends) is not None:
                continue
            Booking.objects.create(
                room=room, booker=booker, group_name=group, purpose=purpose,
                attendees=min(attendees, room.capacity or attendees),
                start=begins, end=ends, illustrative=True,
                status=Booking.Status.PENDING if room.requires_approval else Booking.Status.CONFIRMED,
            )
            count += 1
        return count
