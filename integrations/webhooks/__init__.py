"""Signed outbound webhooks to provider systems: the signing scheme, the HTTP sender, and the outbox's runner.

The scheme receivers verify is documented in `integrations.webhooks.signing`; the body in
`bot.services.webhooks.payload`; delivery and retries in `bot.services.webhooks.outbox`.
"""
