"""Where a triaged issue's order goes: the owning grid and its chain read once, and the
responsible unit found by its community's duty key (no scan of other communities')."""

from services.dispatch.models import Order, Responder
from services.dispatch.service import DispatchService
from tests.dispatch.helpers import grid_tree, triage


def unit(client, headers, name, department_id, category, jurisdiction=()):
    made = client.post("/responders", headers=headers, json={
        "kind": "department", "name": name, "department_id": department_id,
        "categories": [category], "jurisdiction": list(jurisdiction)})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def test_a_building_hands_its_order_up_and_the_unit_covering_its_chain_answers(platform):
    client = platform.start(DispatchService)
    ids = grid_tree(platform)
    admin_a, admin_b = (platform.headers("community_admin", w) for w in ("A", "B"))
    unit(client, admin_b, "别社区的队", "elsewhere", "road")  # same category, other community
    unit(client, admin_a, "东区队", "east", "road", [ids["E"]])  # another branch of the tree
    unit(client, admin_a, "西区队", "west", "road", [ids["W"]])
    stored = Responder.objects(department_id="west").first()
    assert stored.duty_key == f"{platform.community_id('A')}|department"

    issue_id = triage(platform, grid_id=ids["B1"], category="road")
    order = Order.objects.get(id=f"o-{issue_id}")
    assert order.grid_id == ids["W1"]  # building → compound → its level-3 grid
    assert order.grid_chain[:3] == [ids["W1"], ids["W"], ids["L1"]]
    assert ids["B1"] not in order.grid_chain and ids["C1"] not in order.grid_chain
    assert order.department_id == "west"

    other = triage(platform, grid_id=ids["W2"], category="lighting")  # nobody's category
    assert Order.objects.get(id=f"o-{other}").department_id is None
    foreign = triage(platform, grid_id=ids["W1"], category="road", where="B")
    assert Order.objects.get(id=f"o-{foreign}").grid_id != ids["W1"]  # not B's grid: its root
    assert Order.objects.get(id=f"o-{foreign}").department_id == "elsewhere"
