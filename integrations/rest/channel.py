"""The `rest` channel (`POST /webhooks/rest/webhook`, used by the web chat): Rasa's own `RestInput`, never silent.

Unlike Rasa's, a turn that produced no message because a custom action failed is answered with an apology in the
customer's language (`integrations.never_silent`). Listed in the credentials file as
`integrations.rest.channel.RestInput:`.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, Sanic

from integrations.never_silent import OnNewMessage, never_silent, paused_lookup


class RestInput(RasaRestInput):
    """Rasa's REST channel (same name, same routes, same bodies) that is never silent."""

    def __init__(self) -> None:
        """No settings; the Sanic app (and with it Rasa's agent) is known once the server starts."""
        self._app: Sanic | None = None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Rasa's routes, over the wrapped message handler."""
        blueprint = super().blueprint(never_silent(on_new_message, paused_lookup(self._agent)))

        @blueprint.listener("before_server_start")
        async def keep_app(app: Sanic, _loop: Any) -> None:
            self._app = app

        return blueprint

    def _agent(self) -> Any:
        return getattr(self._app.ctx, "agent", None) if self._app is not None else None
