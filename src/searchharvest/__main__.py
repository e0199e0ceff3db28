"""`python -m searchharvest` runs the CLI."""

from searchharvest.cli import main

main()
