"""The action server process: rasa-sdk's app with our lifecycle around it.

`python -m actions.server --port 5055` is what `make run` starts instead of `rasa run actions`: the same endpoints
(`/webhook`, `/health`, `/actions`), plus a start-up hook that builds the services and loads the geocoding tables and
the routing index before the first request (otherwise the first customer to give an address waits seconds), and a
shutdown hook that closes the database engine.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from actions.runtime import close_services, warm_up

logger = logging.getLogger(__name__)
DEFAULT_PORT = 5055


def create_app() -> Any:
    """rasa-sdk's Sanic app for the `actions` package, with our start-up and shutdown hooks."""
    from rasa_sdk.endpoint import create_app as create_sdk_app

    app = create_sdk_app("actions")

    @app.listener("before_server_start")
    async def _start(_app: Any, _loop: Any) -> None:
        await warm_up()

    @app.listener("after_server_stop")
    async def _stop(_app: Any, _loop: Any) -> None:
        await close_services()

    return app


def main(argv: list[str] | None = None) -> int:
    """Run the action server (one worker: the services are per process)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    create_app().run(args.host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
