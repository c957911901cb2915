"""Cross-cutting code shared by every Linli service: contracts, caller context,
errors, storage, outbox/inbox messaging, metrics and test fixtures.

No domain logic lives here and nothing here imports a service package.
"""
