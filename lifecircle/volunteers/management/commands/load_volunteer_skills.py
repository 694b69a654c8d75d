"""manage.py load_volunteer_skills: add (or refresh) the skills volunteers most often offer."""
from django.core.management.base import BaseCommand

from lifecircle.volunteers.models import Skill

SKILLS = [
    ("first_aid", "急救", "First aid"),
    ("it_help", "电脑手机辅导", "Phone and computer help"),
    ("haircut", "理发", "Haircuts"),
    ("repairs", "家电维修", "Household repairs"),
    ("sign_language", "手语", "Sign language"),
    ("companionship", "陪伴聊天", "Company and conversation"),
    ("tutoring", "课业辅导", "Homework help"),
    ("translation", "外语翻译", "Translation"),
    ("photography", "摄影", "Photography"),
    ("driving", "驾驶", "Driving"),
]


class Command(BaseCommand):
    help = "Add or update the usual volunteer skills (staff edit them in the console)."

    def handle(self, *args, **options):
        for slug, name, name_en in SKILLS:
            Skill.objects.update_or_create(slug=slug, defaults={"name": name, "name_en": name_en})
        self.stdout.write(self.style.SUCCESS(f"{len(SKILLS)} skills are defined."))
