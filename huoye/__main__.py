"""`python -m huoye` runs the command line."""
import sys

from huoye.cli import main

sys.exit(main())
