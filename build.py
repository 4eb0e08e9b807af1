#!/usr/bin/env python3
"""`python build.py [options]` is `credpress build [options]`."""

import sys

from credpress.cli import main

if __name__ == "__main__":
    main(["build", *sys.argv[1:]])
