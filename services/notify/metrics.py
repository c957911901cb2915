"""The notify service's Prometheus metrics: notifications written, deliveries by outcome."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

NOTIFICATIONS = Counter("linli_notify_notifications_total",
                        "Notifications written, by kind and audience", ["kind", "audience"])
DELIVERIES = Counter("linli_notify_deliveries_total",
                     "Outbound delivery attempts by channel and outcome (sent, retried, failed)",
                     ["channel", "outcome"])
DELIVERY_LATENCY = Histogram("linli_notify_delivery_seconds",
                             "From a delivery's creation to the channel taking it",
                             buckets=(0.1, 0.5, 1, 5, 30, 120, 600, 3600))
REMINDERS = Counter("linli_notify_reminders_total", "Report-in reminders fired")
