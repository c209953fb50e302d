"""The frozen executable's entry point: the same ``main`` as ``python -m nexpura_desktop``."""

import sys

from nexpura_desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
