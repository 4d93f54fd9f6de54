"""`kgraphs` and `python -m kgraphs`: parse, run the command, and turn a user's mistake into
located problems and an exit status, never a traceback (see `kgraphs.cli`)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from kgraphs.cli.exit_status import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from kgraphs.cli.parser import build_parser
from kgraphs.util.errors import ConfigError


def main(argv: Sequence[str] | None = None) -> int:
    status = _run(argv)
    if argv is None and "tensorflow" not in sys.modules:
        # The program itself (`kgraphs`, `python -m kgraphs`), which ends next. Freeing every
        # class, schema and module one by one at exit takes longer than validating every
        # shipped recipe; without TensorFlow nothing left needs finalizing, so the collector
        # leaves the heap as it is and the memory goes back to the system whole.
        gc.freeze()
    return status


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    # TensorFlow reads its log level once, at import: set it before anything imports TF. An
    # explicit --verbose wins over a quiet level exported in the shell.
    if arguments.verbose:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        return arguments.run(arguments) or EXIT_OK
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if arguments.verbose:
            raise
        print(f"kgraphs: error: {type(error).__name__}: {error}", file=sys.stderr)
        return getattr(arguments, "error_status", EXIT_FAILURE)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
