"""`python -m kgraphs` runs the command line."""

import sys

from kgraphs.cli.main import main

sys.exit(main())
