"""`python -m bot.rasa_entry run …`: Rasa's own command line, with one measured performance fix for Rasa 3.6.

Rasa 3.6 checks every custom action's response against a JSON schema with `jsonschema.validate`, which first checks
the (constant) schema itself against the draft 2020-12 meta-schema — on every call. Profiling our server at
saturation (py-spy, 20 concurrent conversations) put 41% of the Rasa process's CPU there. The fix builds the validator
once and validates each response exactly as before (same schema, same validator class, same `best_match` error
with Rasa's message appended). Nothing else about Rasa changes; `make run` starts Rasa through this module.
It also hands Rasa the API token from RASA_TOKEN, so that the token is never on a command line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

_INSTALLED_FLAG = "_aftersales_fast_validation"


def install_fast_action_validation() -> None:
    """Make `RemoteAction._validate_action_result` reuse one checked validator (idempotent)."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if getattr(RemoteAction, _INSTALLED_FLAG, False):
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class: Any = validator_for(schema)
    validator_class.check_schema(schema)  # what `jsonschema.validate` does on every call, done once
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error: ValidationError | None = best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    setattr(RemoteAction, _INSTALLED_FLAG, True)


def with_token(args: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """`args` with `--auth-token` from RASA_TOKEN when the API is enabled and no token was given.

    The token is added in this process only (Rasa reads it from `sys.argv`); the process's command line, which
    `ps` shows, never carries it. One argument: a token may start with "-", which argparse would take for an option.
    """
    out = list(args)
    token = environ.get("RASA_TOKEN") or ""
    given = any(a == "--auth-token" or a.startswith("--auth-token=") for a in out)
    if token and "--enable-api" in out and not given:
        out.append(f"--auth-token={token}")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Install the fix, then hand over to Rasa's command line with `argv` (default: this process's arguments)."""
    install_fast_action_validation()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *with_token(sys.argv[1:] if argv is None else argv, os.environ)]
    rasa_main()


if __name__ == "__main__":
    main()
