"""``python -m jobber_lab`` is ``jobber-lab``."""

from jobber_lab.cli import main

raise SystemExit(main())
