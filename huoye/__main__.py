"""`python -m huoye` runs the command line."""
from huoye.cli import run

if __name__ == "__main__":  # not when a child process re-imports the main module
    run()
