"""`python -m kgraphs` runs the command line."""

import sys

from kgraphs.cli import main

sys.exit(main())
