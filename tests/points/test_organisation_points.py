"""孵化 pays its founder (#16): each stage their organisation reaches, once each, and its
graduation (出壳) once, under the community's rules and caps (incubation's events published
as incubation publishes them: tests/incubation proves the emitting)."""

from __future__ import annotations

import time
import uuid

import pytest

from deploy.waits import wait_until
from services.common.contracts.incubation import OrganisationGraduated, OrganisationStageReached
from services.points.service import PointsService
from tests.notify.helpers import publish
from tests.points import helpers
from tests.points.helpers import World


@pytest.fixture(scope="module")
def world(module_platform) -> World:
    module_platform.start(PointsService)
    return helpers.build(module_platform)


def test_the_founder_earns_each_stage_once_and_the_graduation_once(world):
    founder, headers = helpers.resident(world, 0)
    a, org = world.platform.community_id("A"), f"org-{uuid.uuid4().hex[:8]}"

    def stage(name: str) -> OrganisationStageReached:
        return OrganisationStageReached(
            organisation_id=org, community_id=a, kind="mutual_aid",
            founder_account_id=founder["id"], stage=name, previous_stage="sprout",
            reached_ts=time.time())

    def active() -> int:
        return helpers.balance(world, headers)["active"]

    for event in (stage("nurture"), stage("nurture")):  # a second copy of the same stage
        publish(world.platform, "incubation", event, a)
    assert wait_until(lambda: active() == 10, timeout=10, every=0.1)
    publish(world.platform, "incubation", stage("growth"), a)
    assert wait_until(lambda: active() == 20, timeout=10, every=0.1)
    publish(world.platform, "incubation", stage("autonomy"), a)  # over the daily cap of 20
    graduated = OrganisationGraduated(
        organisation_id=org, community_id=a, kind="mutual_aid",
        founder_account_id=founder["id"], member_account_ids=["u-not-paid"],
        graduated_ts=time.time())
    for _ in range(2):
        publish(world.platform, "incubation", graduated, a)
    assert wait_until(lambda: active() == 50, timeout=10, every=0.1)
    time.sleep(0.5)  # the copies and the capped stage have been handled by now
    assert active() == 50
