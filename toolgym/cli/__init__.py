"""The `toolgym` command: list, show, generate, validate and play environments.

Each sub-command lives in its own function; bad arguments print one clear line on stderr and exit with status 2,
a failed validation exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from toolgym.cli.commands import COMMANDS
from toolgym.errors import ToolgymError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="toolgym", description="Tool-use environments for RL on LLM agents.")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (add_arguments, _run, help_text) in COMMANDS.items():
        add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def _version() -> str:
    from toolgym import __version__
    return f"toolgym {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _add, run, _help = COMMANDS[args.command]
    try:
        return run(args)
    except ToolgymError as e:
        print(f"toolgym {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `toolgym list | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
