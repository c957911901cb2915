"""The skill taxonomy (技能分类) as data: each code with its parent and label.

Contracts validate skills against it; the volunteers service's matching reads it as a
tree (`services/volunteers/domain/taxonomy.py`). A new skill is one row here.
"""

from __future__ import annotations

# code: (parent code or None, label)
SKILLS: dict[str, tuple[str | None, str]] = {
    "legal": (None, "法律咨询"),
    "mediation": ("legal", "矛盾调解"),
    "contracts": ("legal", "合同与租赁"),
    "medical": (None, "医疗健康"),
    "first_aid": ("medical", "急救"),
    "nursing": ("medical", "护理"),
    "chronic_care": ("medical", "慢病管理"),
    "repair": (None, "维修"),
    "plumbing": ("repair", "水暖"),
    "electrical": ("repair", "电工"),
    "appliances": ("repair", "家电维修"),
    "bicycles": ("repair", "自行车维修"),
    "tutoring": (None, "课业辅导"),
    "math_tutoring": ("tutoring", "数学辅导"),
    "language_tutoring": ("tutoring", "语文与外语辅导"),
    "care": (None, "照护"),
    "elderly_care": ("care", "助老"),
    "childcare": ("care", "托幼看护"),
    "disability_care": ("care", "助残"),
    "translation": (None, "翻译"),
    "sign_language": ("translation", "手语"),
    "it_help": (None, "电脑与手机帮助"),
    "smartphone_help": ("it_help", "智能手机教学"),
    "culture": (None, "文体活动"),
    "calligraphy": ("culture", "书法"),
    "dance": ("culture", "舞蹈"),
    "errands": (None, "跑腿代办"),
    "shopping": ("errands", "代购"),
    "companionship": ("errands", "陪诊陪伴"),
}
