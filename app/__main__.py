"""`python -m losslab`: the `losslab` command."""

import sys

from losslab.server.serving import main

sys.exit(main())
