"""Automations firing: which change fires which event, the outbox, and the delivery worker.

- :mod:`events`: a change of a record (created, updated, deleted, a status transition) as the
  automation events it fires, read from ``x-clarus-event-sources`` in the automations schema.
- :mod:`outbox`: the enabled automations whose conditions hold, as outbox rows written in the same
  store transaction as the change (a change and its deliveries commit together).
- :mod:`payload`: the body and the five ``X-ClarusWMS-*`` headers of a webhook call.
- :mod:`worker`: sends the outbox over HTTP, at least once, with retries on the tenant's clock.
- :mod:`chaos`: seeded switches for duplicates, reordering, latency and failures.
"""
