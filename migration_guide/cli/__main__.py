"""`python -m migration_guide.cli`: the `guide` command without its script."""

from . import main

main()
