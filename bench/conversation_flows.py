"""Scripted conversations for the conversation benchmark (data only): what each simulated user says, turn by turn.

Ours is the full report_fault flow in Chinese and in English; the ticket is created when the customer confirms (the
last turn), and the reply to that turn must carry the ticket number. The vanilla flow uses the intents of Rasa's own
`rasa init` bot, with as many turns, so that both bots answer the same number of messages per conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Ticket numbers as the contract defines them: `AS-YYYYMMDD-XXXXXX`, no 0/O/1/I.
TICKET_NUMBER_RE = re.compile(r"AS-\d{8}-[A-HJ-NP-Z2-9]{6}")

#: Fail the benchmark when a report_fault flow ends without a ticket number (`flow_completed_ratio` < 1).
REQUIRE_TICKET = True


@dataclass(frozen=True)
class Flow:
    """One scripted conversation: the user's turns, and which turn creates the ticket (None: no ticket)."""

    name: str
    turns: tuple[str, ...]
    ticket_turn: int | None = None
    #: `str.format` pattern of the phone number put in place of `{phone}`, given the flow's number `n`.
    phone_format: str = ""
    #: How many distinct phone numbers the pattern can give (`n` is taken modulo this).
    phone_space: int = 1

    def render(self, n: int) -> list[str]:
        """The turns of the n-th run of this flow, with a phone number of its own (tickets may be idempotent)."""
        phone = self.phone_format.format(n=n % self.phone_space) if self.phone_format else ""
        return [turn.replace("{phone}", phone) for turn in self.turns]


REPORT_FAULT_ZH = Flow(
    name="report_fault_zh",
    turns=("你好", "我的格力空调不制冷了，显示E1", "北京市海淀区中关村大街27号", "{phone}", "是的"),
    ticket_turn=4,
    phone_format="138{n:08d}",
    phone_space=10**8,
)

REPORT_FAULT_EN = Flow(
    name="report_fault_en",
    turns=("hi", "my Samsung washing machine is leaking water", "Manchester", "{phone}", "yes"),
    ticket_turn=4,
    # A valid UK mobile range (Ofcom's drama range 07700 900xxx is rejected by the validator as unassigned); the
    # benchmark only writes to its own scratch database, nobody is called.
    phone_format="+44 7911 {n:06d}",
    phone_space=10**6,
)

#: Our flows; simulated users alternate between them.
OUR_FLOWS = (REPORT_FAULT_ZH, REPORT_FAULT_EN)

#: `rasa init`'s "sad path 1" story, then its mood_great and goodbye: five turns, like ours.
VANILLA_FLOWS = (Flow(name="rasa_init_sad_path", turns=("hi", "I'm sad", "yes", "great", "bye")),)


def carries_ticket_number(text: str) -> bool:
    """Whether a reply text contains a ticket number."""
    return TICKET_NUMBER_RE.search(text) is not None
