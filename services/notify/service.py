"""Notify service (消息): per-person inboxes fed by the events that name who must hear
(an issue's steps, an order or whistle, a report-in deadline, a redemption, a vote), the
unread count, preferences, and outbound deliveries through the district's webhook.

The class only wires dependencies, thin entrypoints and the two PollTimers.
"""

from __future__ import annotations

import time

from nameko.rpc import rpc

from services.common.caller import Role
from services.common.contracts.notify import (
    NotificationOut,
    NotificationPage,
    NotificationQuery,
    PreferencesIn,
    PreferencesOut,
    UnreadCount,
)
from services.common.metrics import Instrumentation
from services.common.outbox import OutboxRelay
from services.common.rpc import as_caller, parse, replies
from services.common.store import Store
from services.common.timers import poll_timer
from services.notify import inbox, preferences, reminders, sending
from services.notify.channels import Channels
from services.notify.handlers import EventHandlers
from services.notify.models import DOCUMENTS

# Everyone who signs in has an inbox; the system and Open311 apps do not.
READERS = tuple(r for r in Role if r not in (Role.system, Role.app))


def _reader(caller: dict):  # noqa: ANN202
    who = as_caller(caller)
    who.require_role(*READERS)
    return who


class NotifyService(EventHandlers):
    name = "notify"
    store = Store("notify", DOCUMENTS)
    relay = OutboxRelay()  # no events of its own: it folds the counters a crash left
    instrumentation = Instrumentation()
    channels = Channels()

    @rpc
    @replies(NotificationPage)
    def list_notifications(self, caller: dict, query: dict | None = None) -> dict:
        """The caller's inbox, newest first (`unread` for the unread ones only)."""
        return inbox.page(_reader(caller), parse(NotificationQuery, query or {}))

    @rpc
    @replies(UnreadCount)
    def unread_count(self, caller: dict) -> UnreadCount:
        """From counters and the caller's read markers (never a count query)."""
        return UnreadCount(unread=inbox.unread_count(_reader(caller)))

    @rpc
    @replies(NotificationOut)
    def mark_read(self, caller: dict, notification_id: str) -> NotificationOut:
        """One notification read (someone else's is the 404 of a missing one)."""
        return inbox.mark_read(_reader(caller), str(notification_id))

    @rpc
    @replies(UnreadCount)
    def mark_all_read(self, caller: dict) -> UnreadCount:
        """Everything in the caller's inbox up to now read."""
        return UnreadCount(unread=inbox.mark_all_read(_reader(caller)))

    @rpc
    @replies(PreferencesOut)
    def get_preferences(self, caller: dict) -> PreferencesOut:
        return preferences.read(_reader(caller))

    @rpc
    @replies(PreferencesOut)
    def set_preferences(self, caller: dict, data: dict) -> PreferencesOut:
        """Which outbound channels for which kind (in_app is always on)."""
        return preferences.save(_reader(caller), parse(PreferencesIn, data))

    @poll_timer()
    def send_due(self) -> None:
        """Deliveries whose `next_ts` came: claimed once, in order per person."""
        assert self.channels.settings is not None
        sending.run_due(time.time(), self.channels, self.channels.settings)

    @poll_timer()
    def remind_due(self) -> None:
        """Report-in deadlines near: one reminder each, unless reported in."""
        reminders.run_due(time.time(), self.channels)
