"""The launcher: ``python -m advisor <rasa arguments>`` installs every patch of Rasa internals
(advisor.patches), then runs Rasa's own command line with the same arguments.

    python -m advisor run --model models/x.tar.gz --enable-api --port 5005 ...   # the Rasa server
    python -m advisor run actions --actions actions --port 5055                  # the action server
    python -m advisor token        # creates .run/api-token if missing (mode 600), prints its path
    python -m advisor patches      # lists the patches and the Rasa behaviour each one changes

With ``--enable-api`` the HTTP API token is read from RASA_AUTH_TOKEN or the token file and handed to
Rasa inside this process: it never appears on a command line. ``--auth-token`` itself is refused.
"""
from __future__ import annotations

import os
import sys
from typing import List, Optional

from advisor import action_server, api_token, patches


def rasa_arguments(argv: List[str]) -> List[str]:
    """The arguments for Rasa's CLI: the given ones plus the API token when the API is enabled."""
    if any(a == "--auth-token" or a.startswith("--auth-token=") for a in argv):
        raise api_token.TokenProblem(
            "--auth-token would show the token in `ps`: set RASA_AUTH_TOKEN or use the token file instead"
        )
    if argv[:1] == ["run"] and "--enable-api" in argv:
        # one argument "--auth-token=…": a token may start with "-", which argparse would take for an option
        return [*argv, f"--auth-token={api_token.load_token()}"]
    return list(argv)


def run_action_server(argv: List[str]) -> int:
    """`run actions`: rasa_sdk's own entry point, as `rasa run actions` calls it, with the action server's
    patches only. Rasa's CLI would import TensorFlow and the whole dialogue engine first (5-6 s of the
    action server's 7.5 s start on 2 cores, which a restart under load pays again); the SDK needs neither."""
    patches.install(prefix="rasa_sdk.")
    import rasa_sdk.__main__ as sdk
    from rasa_sdk.endpoint import create_argument_parser

    args = create_argument_parser().parse_args(argv)
    args.actions = args.actions or "actions"  # Rasa's DEFAULT_ACTIONS_PATH
    sdk.main_from_args(args)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    os.umask(0o077)  # conversations, logs, tokens: readable by their owner only, whoever starts the server
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["token"]:
        print(api_token.ensure_token_file(api_token.token_file()))
        return 0
    if args[:1] == ["patches"]:
        print(patches.describe())
        return 0
    try:
        rasa_args = rasa_arguments(args)
        # `run` and `run actions`: the action-server secret into the environment, the action server on loopback
        action_server.prepare_environment(args)
    except api_token.TokenProblem as problem:
        print(f"advisor: {problem}", file=sys.stderr)
        return 2
    if args[:2] == ["run", "actions"]:
        return run_action_server(args[2:])
    patches.install()
    from rasa.__main__ import main as rasa_main

    # Rasa reads sys.argv; changing it here does not change what `ps` shows (/proc/<pid>/cmdline).
    sys.argv = ["rasa", *rasa_args]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
