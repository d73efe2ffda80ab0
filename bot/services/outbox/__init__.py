"""The outbox kit shared by every worker that delivers rows of a table at least once.

`rows`: the claim (compare-and-set with a lease), the holder-only record, the retry policy and the bounded fan-out;
`event_scan`: the scan that turns new ticket events into outbox rows, from a stored cursor. Webhook deliveries,
customer messages and provider Telegram notices are built on them.
"""
