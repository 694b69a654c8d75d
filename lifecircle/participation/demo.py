"""Illustrative participation data for the Jiangning Road demo: the Happy 18 discussion bar, the
three named processes in different phases, a few proposals, comments, supports, a decision with
its follow-up, two (fictitious) representatives and their letters.

Everything is marked illustrative and made up: the people are fictitious ("示例"), the proposals
are examples. Phases are dated around the day of loading so that the demo always shows a process
collecting ideas, one voting and one reporting back; loading again the same day changes nothing,
on a later day it moves the dates along and adds nothing.
"""
import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lifecircle.accounts.models import Household, Resident, StaffRole
from lifecircle.community.models import Compound, SubDistrict
from lifecircle.directory.models import Facility

from .models import Comment, FollowUp, Phase, Process, Proposal, Representative, Support, Thread, ThreadMessage
from .services import check_location

SUBDISTRICT = "jiangning-road"
CENTRE = "jinglin-community-center"
NOTICE_ZH = "（示例数据）"

RESIDENTS = [  # username suffix, name, compound code, birth date
    ("1", "陈示例", "hengde-li", datetime.date(1988, 4, 2)),
    ("2", "李示例", "zhongle-li", datetime.date(1991, 9, 15)),
    ("3", "张示例", "kangding-estate", datetime.date(1955, 1, 20)),
    ("4", "刘示例", "yongle-li", datetime.date(1984, 6, 8)),
    ("5", "王示例", "xinan-li", datetime.date(1948, 11, 30)),
]

# Each phase as (kind, first day, last day) in days from the day of loading.
PROCESSES = [
    {
        "slug": "happy-18", "kind": Process.Kind.SPACE,
        "title": "快乐18议事吧", "title_en": "Happy 18 discussion bar",
        "summary": "居民议事的常设空间：随时提出议题、参与讨论；每月18日在社区党群服务中心线下议事。" + NOTICE_ZH,
        "summary_en": "The standing place for residents' discussion: raise a topic and discuss it at any time; "
                      "meetings at the community centre on the 18th of every month. (Illustrative data.)",
        "phases": [],
        "meeting_code": "happy18-meeting",  # the bookings demo's monthly meeting event has a code starting so
    },
    {
        "slug": "happiness-partner", "kind": Process.Kind.PROCESS,
        "title": "幸福合伙人", "title_en": "Happiness Partner",
        "summary": "居民、商户和单位结成“合伙人”，共同认领并实施社区微项目。" + NOTICE_ZH,
        "summary_en": "Residents, shops and organisations team up as partners to adopt and carry out small "
                      "community projects. (Illustrative data.)",
        "phases": [("collect", -40, -26), ("discuss", -25, -11), ("vote", -10, 10), ("carry_out", 11, 90),
                   ("report_back", 91, 120)],
    },
    {
        "slug": "happiness-doorstep", "kind": Process.Kind.PROCESS,
        "title": "幸福家门口", "title_en": "Happiness at Your Doorstep",
        "summary": "家门口的微更新：楼道、弄堂、口袋公园，由居民提出、讨论并投票决定。" + NOTICE_ZH,
        "summary_en": "Small improvements at the doorstep – stairwells, lanes, pocket parks – proposed, discussed "
                      "and chosen by residents. (Illustrative data.)",
        "phases": [("collect", -7, 21), ("discuss", 22, 35), ("vote", 36, 49), ("carry_out", 50, 140),
                   ("report_back", 141, 170)],
    },
    {
        "slug": "happiness-cooperative", "kind": Process.Kind.PROCESS,
        "title": "幸福合作社", "title_en": "Happiness Cooperative",
        "summary": "邻里互助合作：共享工具、共育儿童、共办活动，已进入成果反馈阶段。" + NOTICE_ZH,
        "summary_en": "Neighbours cooperating – sharing tools, caring for children together, running activities; "
                      "now reporting back on results. (Illustrative data.)",
        "phases": [("collect", -150, -121), ("discuss", -120, -101), ("vote", -100, -86), ("carry_out", -85, -11),
                   ("report_back", -10, 30)],
    },
]

# process slug, title, body, author index, compound for the place (or None), days ago, status
PROPOSALS = [
    ("happy-18", "周末亲子阅读角能否延长开放时间？",
     "很多双职工家长只有周末能带孩子来书房，希望乐宁城市书房的亲子阅读角周末开放到晚上八点。", 0, None, 12, "open"),
    ("happy-18", "弄堂里的共享晾衣架怎么管？",
     "众乐里新装了共享晾衣架，大家来讨论一下使用规则：每户每次最多占用多久？", 1, "zhongle-li", 5, "open"),
    ("happiness-partner", "恒德里门口增设儿童安全过街提示",
     "放学时段车多，希望在恒德里弄口增设儿童过街提示牌和地面标线，并请沿街商户做“护学合伙人”。", 0, "hengde-li", 30, "open"),
    ("happiness-partner", "康定路小区楼道加装扶手",
     "老人上下楼不便，建议在康定路小区各楼道加装扶手，由物业和居民共同维护。", 2, "kangding-estate", 28, "open"),
    ("happiness-partner", "社区宝宝屋增加周六开放",
     "宝宝屋目前只在工作日开放，建议每月增加两个周六上午，方便双职工家庭。", 3, "yongle-li", 27, "open"),
    ("happiness-doorstep", "新安里口袋公园增加遮阳棚",
     "夏天口袋公园太晒，老人和带娃的家长都坐不住，建议加装遮阳棚和两张长椅。", 4, "xinan-li", 3, "open"),
    ("happiness-doorstep", "楼道堆物清理与共享储物间",
     "建议把楼道堆物统一清理，并利用闲置空间设一个共享储物间，放婴儿车和轮椅。", 1, None, 1, "open"),
    ("happiness-cooperative", "邻里工具共享柜",
     "在社区党群服务中心设一个工具共享柜，居民可以借用电钻、梯子等工具。", 2, "kangding-estate", 140, "adopted"),
    ("happiness-cooperative", "家长互助看护小组",
     "几个家庭轮流在周末看护孩子，让家长有半天休息；请社区提供活动室和保险。", 0, "hengde-li", 138, "adopted"),
    ("happiness-cooperative", "每周一次的社区跳蚤市场",
     "建议每周六在弄堂里办跳蚤市场。", 4, None, 135, "not_adopted"),
]

CATEGORIES = {  # proposal title: category (the rest are "other")
    "周末亲子阅读角能否延长开放时间？": "children",
    "弄堂里的共享晾衣架怎么管？": "public_space",
    "恒德里门口增设儿童安全过街提示": "safety",
    "康定路小区楼道加装扶手": "ageing",
    "社区宝宝屋增加周六开放": "children",
    "新安里口袋公园增加遮阳棚": "greenery",
    "楼道堆物清理与共享储物间": "public_space",
    "邻里工具共享柜": "culture",
    "家长互助看护小组": "children",
    "每周一次的社区跳蚤市场": "culture",
}

COMMENTS = [  # proposal title, author index, body, reply to (index into this list) or None, days ago
    ("周末亲子阅读角能否延长开放时间？", 1, "赞成！周末下午人最多，晚上开放可以错峰。", None, 11),
    ("周末亲子阅读角能否延长开放时间？", 3, "可以招募家长志愿者轮值，减少书房的人手压力。", 0, 10),
    ("周末亲子阅读角能否延长开放时间？", 0, "好主意，我愿意报名轮值。", 1, 9),
    ("恒德里门口增设儿童安全过街提示", 4, "弄口的早餐店老板说愿意做护学合伙人。", None, 20),
    ("康定路小区楼道加装扶手", 0, "支持，我家老人也需要。", None, 18),
    ("新安里口袋公园增加遮阳棚", 3, "遮阳棚要注意不要挡住一楼住户的采光。", None, 2),
]

SUPPORTS = {  # proposal title: supporters (indexes)
    "恒德里门口增设儿童安全过街提示": [0, 1, 2, 3, 4],
    "康定路小区楼道加装扶手": [0, 2, 4],
    "社区宝宝屋增加周六开放": [1, 3],
    "邻里工具共享柜": [0, 1, 2, 3],
    "家长互助看护小组": [0, 1, 3, 4],
    "每周一次的社区跳蚤市场": [4],
}

DECISIONS = {
    "邻里工具共享柜": "经议事会讨论通过，由社区党群服务中心提供场地，志愿者负责登记借还。",
    "家长互助看护小组": "通过。社区提供周六上午的活动室，并为参加家庭购买活动意外险。",
    "每周一次的社区跳蚤市场": "弄堂通道需保持消防通畅，每周举办不可行；改为每季度在服务中心广场举办一次。",
}

FOLLOW_UPS = [  # proposal title, days ago, body
    ("邻里工具共享柜", 60, "工具共享柜已在社区党群服务中心一楼启用，首批提供 24 件工具，由 6 名志愿者轮值登记。"),
    ("邻里工具共享柜", 15, "三个月来共借出 180 人次；根据居民建议增加了园艺工具。"),
    ("家长互助看护小组", 40, "首批 8 个家庭组成两个小组，每周六上午在活动室开展看护，已举办 10 次。"),
]

REPRESENTATIVES = [
    ("1", "赵示例", "Zhao (example)", "静安区人大代表（示例）", "District People's Congress representative (example)",
     "每月第一个星期三 14:00–16:00", "First Wednesday of every month, 14:00–16:00"),
    ("2", "孙示例", "Sun (example)", "上海市人大代表（示例）", "Municipal People's Congress representative (example)",
     "每月第三个星期五 9:30–11:30", "Third Friday of every month, 9:30–11:30"),
]

THREADS = [  # rep index, resident index, subject, public, letter, days ago, reply, hours to reply
    (0, 0, "建议增加社区托育点的临时托名额", True,
     "我家孩子两岁，临时托经常约不上，希望增加名额或延长预约时间。", 20,
     "感谢来信。我已把托育需求带到区人大代表小组调研，并与街道沟通，计划下季度增加 10 个临时托名额。", 30),
    (0, 2, "老旧小区加装电梯的进展", True,
     "康定路小区加装电梯的意见征询已经完成，请问下一步什么时候施工？", 12,
     "已向区住房保障部门了解：设计方案正在公示，预计两个月后开工，我会继续跟进。", 100),
    (1, 3, "关于家中老人照护的个人困难", False,
     "（私信示例）家中老人行动不便，想了解长者照护之家的申请条件。", 4,
     "（私信示例）已请街道综合为老服务中心与您联系，说明申请条件和补贴政策。", 20),
    (1, 4, "菜场周边早高峰交通拥堵", True, "康定菜场周边早上七点到八点非常拥堵，老人过马路很危险。", 2, None, None),
]


@transaction.atomic
def load():
    """Create or update the illustrative participation data; returns a one-line summary."""
    subdistrict = SubDistrict.objects.get(code=SUBDISTRICT)
    today = timezone.localdate()
    now = timezone.now()
    User = get_user_model()
    centre = Facility.objects.filter(code=CENTRE).first()

    def user(username, **fields):
        account, created = User.objects.get_or_create(username=username, defaults=fields)
        if created:
            account.set_unusable_password()  # demo people cannot log in unless staff give them a password
            account.save()
        return account

    residents = []
    for suffix, name, compound_code, birth in RESIDENTS:
        account = user(f"demo-participation-resident-{suffix}")
        resident = Resident.objects.filter(user=account).first()
        if resident is None:
            compound = Compound.objects.get(subdistrict=subdistrict, code=compound_code)
            home = Household.objects.create(compound=compound, address=f"示例 {suffix} 号")
            resident = Resident.objects.create(user=account, household=home, name=name, birth_date=birth,
                                               verified_at=now)
        residents.append(resident)

    moderator = user("demo-participation-moderator", is_staff=True)
    if centre:
        StaffRole.objects.get_or_create(user=moderator, role=StaffRole.Role.CENTRE_MANAGER, facility=centre,
                                        grid=None, defaults={"subdistrict": subdistrict})

    processes = {}
    for spec in PROCESSES:
        process, _ = Process.objects.update_or_create(slug=spec["slug"], defaults={
            "subdistrict": subdistrict, "kind": spec["kind"], "title": spec["title"], "title_en": spec["title_en"],
            "summary": spec["summary"], "summary_en": spec["summary_en"], "illustrative": True,
            "meeting_code": spec.get("meeting_code", "")})
        wanted = {kind for kind, _, _ in spec["phases"]}
        process.phases.exclude(kind__in=wanted).delete()
        for kind, first, last in spec["phases"]:
            Phase.objects.update_or_create(process=process, kind=kind, defaults={
                "starts_on": today + datetime.timedelta(days=first), "ends_on": today + datetime.timedelta(days=last)})
        processes[spec["slug"]] = process

    proposals = {}
    for slug, title, body, author, compound_code, days_ago, status in PROPOSALS:
        process = processes[slug]
        lon = lat = None
        if compound_code:
            compound = Compound.objects.get(subdistrict=subdistrict, code=compound_code)
            lon, lat = check_location(subdistrict, compound.lon, compound.lat)
        proposal, created = Proposal.objects.get_or_create(process=process, title=title, defaults={
            "author": residents[author], "body": body, "lon": lon, "lat": lat, "illustrative": True,
            "category": CATEGORIES.get(title, "other"),
            "created_at": now - datetime.timedelta(days=days_ago),
            "reviewed_at": now if days_ago > 2 else None})  # the newest wait in the moderators' queue
        if created and status != "open":
            proposal.status = status
            proposal.decided_at = now - datetime.timedelta(days=days_ago - 50)
            proposal.decision_note = DECISIONS.get(title, "")
            proposal.save(update_fields=["status", "decided_at", "decision_note"])
        if not created and proposal.category == "other" and CATEGORIES.get(title, "other") != "other":
            proposal.category = CATEGORIES[title]  # loaded before proposals had categories
            proposal.save(update_fields=["category"])
        proposals[title] = proposal

    made = []
    for title, author, body, reply_to, days_ago in COMMENTS:
        parent = made[reply_to] if reply_to is not None else None
        comment, _ = Comment.objects.get_or_create(proposal=proposals[title], body=body, defaults={
            "author": residents[author], "parent": parent, "illustrative": True,
            "reviewed_at": now if days_ago > 2 else None,
            "created_at": now - datetime.timedelta(days=days_ago)})
        made.append(comment)

    for title, supporters in SUPPORTS.items():
        for index in supporters:
            Support.objects.get_or_create(proposal=proposals[title], resident=residents[index])

    for title, days_ago, body in FOLLOW_UPS:
        FollowUp.objects.get_or_create(proposal=proposals[title], body=body, defaults={
            "done_on": today - datetime.timedelta(days=days_ago), "author": moderator, "illustrative": True})

    reps = []
    for suffix, name, name_en, title, title_en, reception, reception_en in REPRESENTATIVES:
        account = user(f"demo-participation-representative-{suffix}")
        rep, _ = Representative.objects.update_or_create(user=account, defaults={
            "subdistrict": subdistrict, "name": name, "name_en": name_en, "title": title, "title_en": title_en,
            "reception": reception, "reception_en": reception_en, "facility": centre, "active": True,
            "illustrative": True})
        reps.append(rep)

    for rep, writer, subject, public, letter, days_ago, reply, hours in THREADS:
        resident = residents[writer]
        written = now - datetime.timedelta(days=days_ago)
        thread, created = Thread.objects.get_or_create(representative=reps[rep], resident=resident, subject=subject,
                                                       defaults={"is_public": public, "illustrative": True,
                                                                 "created_at": written, "last_message_at": written})
        if not created:
            continue
        ThreadMessage.objects.create(thread=thread, author=resident.user, body=letter, created_at=written)
        if reply:
            answered = written + datetime.timedelta(hours=hours)
            ThreadMessage.objects.create(thread=thread, author=reps[rep].user, body=reply, created_at=answered,
                                         from_representative=True)
            thread.first_reply_at = thread.last_message_at = answered
            thread.save(update_fields=["first_reply_at", "last_message_at"])

    return (f"Participation demo (illustrative): {len(processes)} processes, {len(proposals)} proposals, "
            f"{len(made)} comments, {len(reps)} representatives, {len(THREADS)} letters.")
