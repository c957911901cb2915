from services.intake.service import IntakeService
from tests.intake.helpers import file_issue


def test_smoke(platform):
    client = platform.start(IntakeService)
    issue = file_issue(platform)
    assert issue["state"] == "received"
    got = client.get(f"/issues/{issue['id']}", headers=platform.headers("resident"))
    assert got.status_code == 200, got.text
    print(got.json())
