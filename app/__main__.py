"""`python -m losslab`: the `losslab` command."""

import sys

from losslab.server.command import main

sys.exit(main())
