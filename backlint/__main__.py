"""`python -m backlint` runs the CLI."""
from backlint.cli import main

main()
