"""Who hears of an issue's steps, from intake's events alone (never an RPC): the reporter
(`issue.received`) and the reporters of the issues merged into it (`issue.merged`), in
either order of arrival. Every write is an upsert or a unique `_id`: redeliveries are
no-ops."""

from __future__ import annotations

import contextlib

from mongoengine.errors import NotUniqueError
from pymongo import ReturnDocument

from services.notify.models import Follower, IssueLink

MAX_FOLLOWERS = 500  # a group complaint (群体诉) of more is told through its first 500


def follow(issue_id: str, user_id: str | None) -> None:
    if user_id:
        with contextlib.suppress(NotUniqueError):
            Follower(id=f"{issue_id}:{user_id}", issue_id=issue_id,
                     user_id=user_id).save(force_insert=True)


def followers(issue_id: str) -> list[str]:
    return [f.user_id for f in Follower.objects(issue_id=issue_id).only("user_id")
            .limit(MAX_FOLLOWERS)]


def received(issue_id: str, community_id: str, reporter_id: str | None) -> None:
    # one command: the upsert answers with the link as it is now (a merge may be there)
    link = IssueLink._get_collection().find_one_and_update(
        {"_id": issue_id}, {"$set": {"community_id": community_id, "reporter_id": reporter_id}},
        upsert=True, return_document=ReturnDocument.AFTER)
    follow(issue_id, reporter_id)
    if link and link.get("merged_into"):  # the merge arrived first
        follow(link["merged_into"], reporter_id)


def merged(duplicate_id: str, original_id: str, community_id: str) -> None:
    IssueLink._get_collection().update_one(
        {"_id": duplicate_id}, {"$set": {"community_id": community_id,
                                         "merged_into": original_id}}, upsert=True)
    for user_id in followers(duplicate_id):
        follow(original_id, user_id)
