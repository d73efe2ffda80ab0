"""Opening pages in the browser tests with their console errors and uncaught exceptions collected."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, ConsoleMessage, Page


def collect_problems(page: Page) -> list[str]:
    """A list that fills with the page's console errors and uncaught exceptions from now on."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def open_watched(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    """A new page of `context` on `url`, and the list collecting its console errors and page errors."""
    page = context.new_page()
    problems = collect_problems(page)
    page.goto(url)
    return page, problems
