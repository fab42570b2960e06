"""Run the command line as ``python -m powerflow.cli``."""

from powerflow.cli import main

main()
