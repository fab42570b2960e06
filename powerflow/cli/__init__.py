"""The ``powerflow`` command line: one module per command family, assembled in ``app``."""

from powerflow.cli.app import main

__all__ = ["main"]
