"""The service is up in the platform: its categories answer, its halls are per community."""

from __future__ import annotations

from tests.platform import SYSTEM


def test_the_seven_colours_each_bring_the_four_fixed_parties(dplatform):
    with dplatform.rpc() as rpc:
        colours = rpc.deliberation.topic_categories(SYSTEM)
    assert [c["colour"] for c in colours] == ["red", "orange", "yellow", "green", "cyan",
                                              "blue", "purple"]
    for colour in colours:
        assert colour["parties"][:4] == ["community_committee", "mediation_committee",
                                         "police", "residents_representative"]
