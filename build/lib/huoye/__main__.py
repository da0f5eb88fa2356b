"""`python -m huoye` runs the command line."""
from huoye.cli import run

run()
