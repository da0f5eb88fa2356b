#!/usr/bin/env python3
"""The editor's entry: build every issue in content/ (or the ones named) into output/.

    python build.py                  # all issues, all formats
    python build.py content/2020-03  # one issue
    python build.py --help           # options and examples
"""
import sys

from huoye.cli import run

if __name__ == "__main__":
    run(["build", *sys.argv[1:]] if sys.argv[1:2] != ["--version"] else sys.argv[1:])
