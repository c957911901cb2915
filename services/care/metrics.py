"""The care service's Prometheus metrics: seats taken, refused and freed; bookings by kind
and step; hours delivered by provider kind; visits made, late and missed."""

from __future__ import annotations

from prometheus_client import Counter

SEATS = Counter("linli_care_seats_total", "Seat takes and releases (taken, full, freed)",
                ["result"])
BOOKINGS = Counter("linli_care_bookings_total", "Bookings by service kind and step",
                   ["kind", "step"])
HOURS = Counter("linli_care_hours_delivered_total", "Hours of care delivered, by provider kind",
                ["provider_kind"])
VISITS = Counter("linli_care_visits_total",
                 "Rota visits made, made late, missed, or escalated a level", ["result"])
