"""The catalogue every community starts with (seeds 000-004: 接诉即办 categories).

Each entry is an Open311 service definition with the platform's triage defaults
(三事分流 route, 四类事 class, urgency) and deadlines in hours (response, resolution).
A community admin can change its own copy; this is only the starting point.
"""

from __future__ import annotations

from typing import Any

from services.common.contracts.intake import AttributeDef, CategoryDef, TriageRule

YES_NO = [{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}]


def _attr(code: str, name: str, name_en: str, datatype: str, required: bool = False,
          values: list[dict[str, str]] | None = None) -> AttributeDef:
    return AttributeDef(code=code, name=name, name_en=name_en, datatype=datatype,
                        required=required, values=values or [])


def _values(**pairs: str) -> list[dict[str, str]]:
    return [{"key": k, "name": v} for k, v in pairs.items()]


def _cat(code: str, name: str, name_en: str, group: str, keywords: str, route: str,
         issue_class: str, urgency: str, hours: tuple[float, float] | None,
         attributes: list[AttributeDef] | None = None, **extra: Any) -> CategoryDef:
    return CategoryDef(
        code=code, name=name, name_en=name_en, group=group, keywords=keywords.split(),
        attributes=attributes or [],
        triage=TriageRule(route=route, issue_class=issue_class, urgency=urgency),
        response_hours=hours[0] if hours else None, resolution_hours=hours[1] if hours else None,
        **extra)


BUILDING = _attr("building", "楼栋", "Building", "string", required=True)

CATALOGUE: tuple[CategoryDef, ...] = (
    _cat("illegal_parking", "违章停车", "Illegal parking", "交通出行", "停车 占道 车位 堵路",
         "community", "public", "normal", (2, 24), [
             _attr("vehicle_type", "车辆类型", "Vehicle type", "singlevaluelist", True,
                   _values(car="小汽车", ebike="电动车", bicycle="自行车", truck="货车")),
             _attr("plate", "车牌号", "Licence plate", "string")]),
    _cat("parking_space", "停车位纠纷", "Parking space dispute", "交通出行", "车位 地锁 停车难",
         "party_volunteer", "public", "normal", (24, 168)),
    _cat("ebike_charging", "电动车违规充电", "Unsafe e-bike charging", "安全隐患",
         "电动车 飞线 充电 楼道", "community", "priority", "urgent", (1, 8), [BUILDING]),
    _cat("lift_fault", "电梯故障", "Lift breakdown", "设施维修", "电梯 困人 停运",
         "community", "public", "high", (1, 24), [
             BUILDING,
             _attr("trapped", "是否困人", "Someone trapped", "singlevaluelist", True, YES_NO)]),
    _cat("lift_installation", "老楼加装电梯", "Lift installation in old buildings", "设施维修",
         "加装电梯 老旧小区", "community", "priority", "complex", (72, 720), [BUILDING]),
    _cat("street_lighting", "路灯不亮", "Street light out", "设施维修", "路灯 照明 黑",
         "community", "public", "normal", (4, 72),
         [_attr("lamp_number", "灯杆编号", "Lamp post number", "string")]),
    _cat("stairwell_lighting", "楼道灯损坏", "Stairwell light broken", "设施维修",
         "楼道灯 声控灯", "party_volunteer", "public", "normal", (24, 72), [BUILDING]),
    _cat("garbage_collection", "垃圾清运不及时", "Rubbish not collected", "环境卫生",
         "垃圾 清运 异味 垃圾桶", "community", "public", "normal", (4, 24), [
             _attr("waste_type", "垃圾类型", "Waste type", "multivaluelist", True,
                   _values(household="生活垃圾", kitchen="厨余垃圾", recyclable="可回收物",
                           hazardous="有害垃圾", bulky="大件垃圾"))]),
    _cat("waste_sorting", "垃圾分类指导", "Waste sorting guidance", "环境卫生", "分类 督导",
         "party_volunteer", "public", "normal", (24, 168)),
    _cat("illegal_construction", "私搭乱建", "Illegal construction", "环境卫生",
         "违建 私搭 乱建 占用绿地", "community", "priority", "complex", (24, 720)),
    _cat("green_space", "绿化养护", "Green space upkeep", "环境卫生", "绿化 树木 修剪 草坪",
         "party_volunteer", "public", "normal", (24, 168)),
    _cat("stray_animals", "流浪动物", "Stray animals", "环境卫生", "流浪猫 流浪狗",
         "party_volunteer", "public", "normal", (24, 168)),
    _cat("neighbour_dispute", "邻里纠纷", "Neighbour dispute", "矛盾调解",
         "邻居 纠纷 漏水 调解 吵架", "residents", "public", "normal", (24, 168),
         [_attr("parties", "涉及户数", "Households involved", "number")]),
    _cat("family_dispute", "家庭纠纷", "Family dispute", "矛盾调解", "家庭 赡养 调解",
         "residents", "hardship", "normal", (24, 168)),
    _cat("elderly_care", "独居老人关爱", "Care for an elderly person living alone", "民生保障",
         "老人 独居 空巢 助餐 探访", "party_volunteer", "hardship", "normal", (24, 168), [
             _attr("age", "年龄", "Age", "number", True),
             _attr("needs", "需要", "Needs", "multivaluelist", False,
                   _values(meals="助餐", visits="探访", medical="就医", cleaning="保洁"))]),
    _cat("disability_assistance", "残疾人帮扶", "Assistance for a disabled resident", "民生保障",
         "残疾 无障碍 帮扶", "party_volunteer", "hardship", "normal", (24, 168)),
    _cat("hardship_relief", "困难救助", "Hardship relief", "民生保障", "低保 救助 困难 补贴",
         "community", "hardship", "normal", (24, 240)),
    _cat("property_service", "物业服务", "Property management service", "物业管理",
         "物业 保安 保洁 维修", "community", "public", "normal", (24, 168),
         [_attr("compound", "小区", "Residential compound", "string", True)]),
    _cat("property_fee", "物业费争议", "Property fee dispute", "物业管理", "物业费 收费 公摊",
         "residents", "public", "normal", (48, 336)),
    _cat("fire_hazard", "消防通道堵塞", "Blocked fire escape", "安全隐患",
         "消防 通道 堵塞 杂物 灭火器", "community", "priority", "urgent", (1, 12),
         auto_triage=True),
    _cat("gas_leak", "燃气泄漏", "Gas smell or leak", "安全隐患", "燃气 煤气 异味 泄漏",
         "community", "priority", "urgent", (0.5, 4), [BUILDING], auto_triage=True),
    _cat("falling_objects", "高空坠物隐患", "Falling object risk", "安全隐患",
         "坠物 外墙 空调外机 广告牌", "community", "priority", "urgent", (1, 24)),
    _cat("water_pipe", "水管漏水爆裂", "Burst or leaking pipe", "管线", "水管 漏水 爆管 停水",
         "community", "public", "high", (2, 24), [
             _attr("where", "位置", "Where", "singlevaluelist", True,
                   _values(indoor="户内", stairwell="楼道", outdoor="室外"))]),
    _cat("drain_blockage", "下水道堵塞", "Blocked drain or sewer", "管线", "下水道 堵塞 反水",
         "community", "public", "high", (2, 24)),
    _cat("heating", "供暖不热", "Heating not working", "管线", "暖气 供暖 不热",
         "community", "public", "high", (4, 48), [BUILDING]),
    _cat("noise", "噪音扰民", "Noise nuisance", "矛盾调解", "噪音 施工 广场舞 扰民",
         "community", "public", "normal", (4, 72), [
             _attr("source", "噪音来源", "Source", "singlevaluelist", True,
                   _values(construction="施工", business="商铺", neighbour="邻居",
                           square_dance="广场舞")),
             _attr("heard_at", "发生时间", "When heard", "datetime")]),
    _cat("road_damage", "道路破损", "Damaged road or pavement", "设施维修", "道路 坑洼 井盖",
         "community", "public", "normal", (24, 168)),
    _cat("deliberation_topic", "议事提议", "Matter for deliberation", "议事协商",
         "议事 提议 协商", "community", "special", "complex", None),
    _cat("other", "其他", "Other", "其他", "其他", "community", "public", "normal", (24, 168)),
)
