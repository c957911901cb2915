"""Which channel for which kind: in_app always, the outbound ones as the person chose."""

from __future__ import annotations

import time

from services.common.caller import Caller
from services.common.contracts.notify import (
    ChannelName,
    NotificationKind,
    PreferencesIn,
    PreferencesOut,
)
from services.notify.models import Preference


def read(who: Caller) -> PreferencesOut:
    pref = Preference.objects(id=who.user_id).first()
    chosen = (pref.channels or {}) if pref else {}
    return PreferencesOut(user_id=who.user_id, channels={
        kind: [ChannelName.in_app, *[ChannelName(c) for c in chosen.get(kind.value, [])]]
        for kind in NotificationKind})


def save(who: Caller, spec: PreferencesIn) -> PreferencesOut:
    """The whole set at once (a PUT): kinds not named go back to in_app only."""
    channels = {kind.value: [c.value for c in names if c is not ChannelName.in_app]
                for kind, names in spec.channels.items()}
    Preference._get_collection().update_one(
        {"_id": who.user_id}, {"$set": {"channels": channels, "updated_ts": time.time()}},
        upsert=True)
    return read(who)
