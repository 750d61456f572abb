"""The `losslab` command (also `python -m losslab`): its options are read before anything else
loads, so `--help`, `--version` and a bad option answer at once."""

import sys

from losslab.server.options import parse_args


def main(argv=None):
    args = parse_args(argv)
    from losslab.server.serving import serve

    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
