"""``python -m lifecircle.geo``: see :mod:`lifecircle.geo.cli`."""

import sys

from .cli import main

sys.exit(main())
