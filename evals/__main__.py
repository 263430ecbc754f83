"""`python -m evals` is `python -m evals.runner`."""

import sys

from evals.runner import main

sys.exit(main(sys.argv[1:]))
