"""Recording fakes of the systems we talk to: Rasa's HTTP API, Telegram's Bot API, WeChat's API, a provider's webhook
receiver, and clocks.

Each fake listens on a free local port (or, for a clock, stands in for `utcnow`/`time.monotonic`), records what it
was asked and answers the way the real system documents. Tests get them started through the fixtures in the nearest
`conftest.py`.
"""
