"""The kinds of request a Shanghai sub-district takes from residents, as a starting point that
staff then edit in the console. ``install()`` adds or updates them by service_code and never
deletes anything staff added."""
from django.db import transaction

from .models import AttributeValue, Service, ServiceAttribute

S, N, D, T = "singlevaluelist", "number", "datetime", "text"
M, STR = "multivaluelist", "string"

SERVICES = [
    {
        "service_code": "street_light", "service_name": "路灯损坏", "service_name_en": "Street light out",
        "description": "路灯不亮、闪烁或灯杆损坏。", "description_en": "A street light that is out, flickers or is damaged.",
        "group": "市政设施", "keywords": "路灯,灯,照明,street light,lamp", "expected_hours": 72,
        "service_notice": "网格员将在一个工作日内核实，并转市政养护单位维修。",
        "attributes": [
            {"code": "problem", "datatype": S, "required": True, "description": "路灯怎么了？",
             "description_en": "What is wrong with the light?",
             "values": [("off", "不亮", "Out"), ("flicker", "闪烁", "Flickers"), ("day_on", "白天常亮", "On in daytime"),
                        ("damaged", "灯杆损坏或倾斜", "Pole damaged or leaning")]},
            {"code": "pole_number", "datatype": STR, "description": "灯杆编号（如能看到）",
             "description_en": "Pole number, if you can see it", "datatype_description": "例如 JN-0123"},
        ],
    },
    {
        "service_code": "manhole_cover", "service_name": "井盖问题", "service_name_en": "Manhole cover",
        "description": "井盖缺失、破损、松动或下沉。", "description_en": "A manhole cover that is missing, broken, loose or sunken.",
        "group": "市政设施", "keywords": "井盖,窨井,manhole,drain cover", "expected_hours": 4,
        "service_notice": "井盖问题优先处理：网格员将尽快到场设置警示。",
        "attributes": [
            {"code": "danger_notice", "variable": False, "datatype": STR,
             "description": "井盖缺失危及行人或车辆安全时，请同时拨打 12345 或 110。",
             "description_en": "If a missing cover endangers people or vehicles, also call 12345 or 110."},
            {"code": "condition", "datatype": S, "required": True, "description": "井盖的情况",
             "description_en": "The state of the cover",
             "values": [("missing", "缺失", "Missing"), ("broken", "破损", "Broken"), ("loose", "松动或有响声", "Loose or rattles"),
                        ("sunken", "下沉或凸起", "Sunken or raised")]},
            {"code": "location_type", "datatype": S, "description": "在哪里？", "description_en": "Where is it?",
             "values": [("road", "机动车道", "Roadway"), ("sidewalk", "人行道", "Pavement"), ("compound", "小区内", "Inside a compound")]},
        ],
    },
    {
        "service_code": "greenery", "service_name": "绿化养护", "service_name_en": "Trees and greenery",
        "description": "树木枝叶遮挡、倒伏断枝、绿地损坏。", "description_en": "Overgrown or fallen trees, damaged green spaces.",
        "group": "环境", "keywords": "绿化,树,草坪,tree,greenery,park", "expected_hours": 120,
        "attributes": [
            {"code": "issue", "datatype": S, "required": True, "description": "什么问题？", "description_en": "What is the problem?",
             "values": [("overgrown", "枝叶遮挡道路或窗户", "Branches block a path or window"),
                        ("fallen", "倒伏或断枝", "Fallen tree or branch"), ("dead", "树木枯死", "Dead tree"),
                        ("damaged", "绿地被毁坏", "Green space damaged")]},
        ],
    },
    {
        "service_code": "noise", "service_name": "噪音扰民", "service_name_en": "Noise",
        "description": "施工、商铺或邻里噪音。", "description_en": "Noise from building work, shops or neighbours.",
        "group": "环境", "keywords": "噪音,噪声,吵,noise", "expected_hours": 48,
        "attributes": [
            {"code": "source", "datatype": S, "required": True, "description": "噪音来自", "description_en": "The noise comes from",
             "values": [("construction", "施工", "Building work"), ("business", "商铺或餐饮", "A shop or restaurant"),
                        ("neighbour", "邻居", "Neighbours"), ("traffic", "交通", "Traffic"), ("other", "其他", "Other")]},
            {"code": "heard_at", "datatype": D, "description": "最近一次听到的时间", "description_en": "When you last heard it"},
            {"code": "nights_per_week", "datatype": N, "description": "每周几个晚上有噪音", "description_en": "Nights a week it happens",
             "datatype_description": "0–7"},
        ],
    },
    {
        "service_code": "elderly_help", "service_name": "助老需求", "service_name_en": "Help for an elderly neighbour",
        "description": "为自己或身边的老人提出助餐、助洁、助浴、助医等需求。",
        "description_en": "Meals, cleaning, bathing, a companion to the doctor: for yourself or an elderly neighbour.",
        "group": "为老服务", "keywords": "助老,老人,养老,助餐,elderly,senior,help", "expected_hours": 24, "private": True,
        "service_notice": "网格员将在一天内电话联系，了解需要并对接社区服务。",
        "attributes": [
            {"code": "needs", "datatype": M, "required": True, "description": "需要哪些帮助？", "description_en": "What help is needed?",
             "values": [("meals", "助餐", "Meals"), ("cleaning", "助洁", "Cleaning"), ("bathing", "助浴", "Bathing"),
                        ("medical", "助医或陪诊", "Doctor's visits"), ("shopping", "代购", "Shopping"),
                        ("visits", "探访陪伴", "Visits and company")]},
            {"code": "lives_alone", "datatype": S, "description": "老人是否独居？", "description_en": "Does the person live alone?",
             "values": [("yes", "是", "Yes"), ("no", "否", "No"), ("unknown", "不清楚", "Not sure")]},
            {"code": "age", "datatype": N, "description": "老人年龄", "description_en": "Age of the person"},
        ],
    },
    {
        "service_code": "childcare_enquiry", "service_name": "托育咨询", "service_name_en": "Childcare enquiry",
        "description": "托育名额、时间、费用等咨询。", "description_en": "Questions about childcare places, hours and fees.",
        "group": "托育服务", "keywords": "托育,托班,宝宝屋,childcare,nursery", "expected_hours": 72, "private": True,
        "type": "batch", "service_notice": "托育服务中心将在三个工作日内答复。",
        "attributes": [
            {"code": "child_age_months", "datatype": N, "required": True, "description": "孩子月龄",
             "description_en": "Child's age in months", "datatype_description": "0–36"},
            {"code": "topic", "datatype": S, "required": True, "description": "想了解", "description_en": "About",
             "values": [("place", "托位", "A place"), ("hours", "托育时间", "Hours"), ("fees", "费用", "Fees"), ("other", "其他", "Other")]},
        ],
    },
]


@transaction.atomic
def install():
    """Add or update the default services; returns how many there are."""
    for order, spec in enumerate(SERVICES, start=1):
        spec = dict(spec)
        attributes = spec.pop("attributes", [])
        service, _ = Service.objects.update_or_create(
            service_code=spec.pop("service_code"), defaults={"order": order * 10, **spec})
        for position, attr in enumerate(attributes, start=1):
            attr = dict(attr)
            values = attr.pop("values", [])
            attribute, _ = ServiceAttribute.objects.update_or_create(
                service=service, code=attr.pop("code"), defaults={"order": position, **attr})
            for rank, (key, name, name_en) in enumerate(values, start=1):
                AttributeValue.objects.update_or_create(
                    attribute=attribute, key=key, defaults={"name": name, "name_en": name_en, "order": rank})
    return len(SERVICES)
