"""The `landscape` command line.

Conventions (DESIGN.md): every command takes --json (one JSON object on stdout, nothing
else there) and --out (result.json with the configuration, seed, versions and git
commit); bad input is one line on stderr and exit status 2, never a traceback. The
argparse namespace stays here: library code receives typed values.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from typing import Sequence

from bridge.commands import (approx, basin_model, bounds, compare, critical, critical_set, dimension, experiment,
                             export, solve, study, train)
from bridge.commands.common import parse_counts, parse_fix, split_specs  # noqa: F401  (imported from here by tests)
from bridge.commands.common import EXIT_FAILURE, EXIT_USAGE, Failed, Parser, SpecError


COMMANDS = (bounds, export, solve, dimension, critical, critical_set, train, experiment, basin_model, compare, study, approx)


def make_parser():
    parser = Parser(prog="landscape", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    sub.required = True
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


NOT_CONFIGURATION = ("func", "out", "json", "workers", "scheduler", "threads", "resume", "command", "defaults",
                     "budget")  # never change a result (a budget only where a count stops, and the next run goes on)
EXTENDABLE = ("epochs",)  # train and compare continue their runs to a larger --epochs in the same folder


def claimed_output(args):
    """The --out folder checked and held before the command works (bridge.outputs); export
    writes one file, whose folder is checked."""
    from pathlib import Path

    from bridge.outputs import check_writable, claim

    out = getattr(args, "out", None)
    if args.command == "experiment":
        out = out or os.path.join("runs", f"{args.name}-{args.scale}")
    elif args.command == "basin-model":
        out = out or os.path.join("runs", f"basin-model-{args.variant}-d{args.dim}")
    if out is None:
        return contextlib.nullcontext()
    if args.command == "export":
        if Path(out).is_dir():
            raise SpecError(f"--out {out} is a folder; export writes one file")
        check_writable(Path(out).parent)
        return contextlib.nullcontext()
    ignored = NOT_CONFIGURATION + (EXTENDABLE if args.command in ("train", "compare") else ())
    arguments = {k: v for k, v in vars(args).items() if k not in ignored}
    return claim(out, args.command, arguments)


class Terminated(BaseException):
    """SIGTERM, raised where the command is: its files are closed and its folder released as
    for Ctrl-C, and it says so in one line (the default action ends it without a word)."""


def _terminated(signum, frame):
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    from algebra.phc import SolverError
    from bridge.cluster import ClusterError, UnitFailed

    # a terminal that cannot show a character (LANG=C, PYTHONIOENCODING=ascii, an --out named
    # ./é) gets an escape for it, not a UnicodeEncodeError after the result is written
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    # signal handlers belong to the main thread (a command run from another one keeps the default)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if main_thread else None
    try:
        args = make_parser().parse_args(argv)
        if sys.stdout is None and not getattr(args, "out", None):  # started with stdout closed (>&-)
            raise SpecError("standard output is closed and no --out was given: the result would go nowhere")
        with claimed_output(args):
            args.func(args)
    except (SpecError, ClusterError) as exc:
        print(f"landscape: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UnitFailed as exc:
        print(f"landscape: failure: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except SolverError as exc:
        print(f"landscape: solver failure: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:  # e.g. `landscape ... --json | head`: the reader left, nothing to say (before
        # OSError, of which it is one)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except OSError as exc:
        print(f"landscape: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USAGE
    except Failed:
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("landscape: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("landscape: terminated (SIGTERM)", file=sys.stderr)
        return 128 + signal.SIGTERM
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
