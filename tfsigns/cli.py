"""`python -m tfsigns ...`: a thin dispatcher over tfsigns/commands/.

Each command module declares `NAME`, `HELP`, `add_arguments(parser)` and
`run(args) -> int`. Any `TfsignsError` becomes one `error: ...` line on stderr
and exit code 2, never a traceback.
"""
import argparse
import importlib
import sys

from tfsigns.errors import TfsignsError

# Command modules, in the order `--help` lists them.
COMMANDS = ("train", "data", "predict", "samples", "parity")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m tfsigns",
        description="The 'TensorFlow Tutorial' SIGNS assignment on today's TensorFlow.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"tfsigns.commands.{name}")
        sub = subparsers.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except TfsignsError as error:
        sys.stdout.flush()
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
