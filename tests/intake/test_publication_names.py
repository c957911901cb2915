"""公示 removes the names of the community's accounts from published text (Chinese and
pinyin), from intake's own copy of them: identity's user.created events, and a one-off
backfill for the accounts made before intake listened."""

from __future__ import annotations

from deploy.waits import wait_until
from services.intake.account_names import ACCOUNTS
from services.intake.service import IntakeService
from tests.intake.helpers import file_issue, sign_in


def test_account_names_are_removed_from_published_text_in_chinese_and_pinyin(platform):
    platform.start()  # identity only: this account exists before intake listens
    platform.user("resident", "A", "early", display_name="欧阳娜娜")
    platform.container_factory(IntakeService, platform.config).start()
    cid = platform.community_id()
    platform.user("resident", "A", "wang", display_name="王芳")
    platform.user("volunteer", "A", "li", display_name="Li Ming")
    platform.user("resident", "B", "zhao", display_name="赵雷")  # another community's
    assert wait_until(lambda: {"欧阳娜娜", "王芳", "Li Ming"} <= set(ACCOUNTS.names(cid, 100)),
                      timeout=20, every=0.2)
    issue = file_issue(platform, description=(
        "王芳说路灯坏了，wang fang 和 Ouyang Nana 也报过，志愿者 ming li 看过，赵雷不知道"))
    triaged = platform.client.post(f"/issues/{issue['id']}/triage",
                                   headers=sign_in(platform, "community_admin"), json={})
    assert triaged.status_code == 200, triaged.text
    listed = platform.client.get(f"/public/communities/{cid}/issues").json()
    assert [i["summary"] for i in listed] == [
        "某说路灯坏了，某 和 某 也报过，志愿者 某 看过，赵雷不知道"]
    # the reporter and staff still read the text as written
    mine = platform.client.get(f"/issues/{issue['id']}", headers=sign_in(platform, "resident"))
    assert mine.json()["description"].startswith("王芳说路灯坏了")
