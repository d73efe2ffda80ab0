"""What the fakes that listen on a local port share: stopping, and `async with` around starting and stopping."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, TypeVar

from aiohttp.test_utils import TestServer

_Fake = TypeVar("_Fake", bound="LocalServer")


class LocalServer(ABC):
    """A fake served by an aiohttp `TestServer`, kept in `server` (None until started).

    `async with Fake() as fake:` starts it and stops it afterwards; `start()` and `close()` do the same by hand.
    """

    server: TestServer | None

    @abstractmethod
    async def start(self) -> Any:
        """Listen on a free local port."""

    async def close(self) -> None:
        """Stop listening."""
        if self.server is not None:
            await self.server.close()

    async def __aenter__(self: _Fake) -> _Fake:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
