"""One log-event naming style: every log line of ours starts with a dotted `<component>.<event>` name."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CALL = re.compile(r'logger\.(?:debug|info|warning|error|exception|critical)\(\s*(f?)"([^"]*)"')
EVENT = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_%s]+)+([\s:]|$)")


def test_every_log_event_name_is_dotted() -> None:
    found, wrong = 0, []
    for package in ("bot", "actions", "integrations"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for match in CALL.finditer(path.read_text(encoding="utf-8")):
                found += 1
                if match.group(2).startswith("%s"):  # the event name is an argument (run_periodic, lanes)
                    continue
                if not EVENT.match(match.group(2)):
                    wrong.append(f"{path.relative_to(ROOT)}: {match.group(2)[:60]!r}")
    assert found > 150, "the scan found too few log calls to mean anything"
    assert wrong == [], "log events are named <component>.<event>:\n" + "\n".join(wrong)
