"""powerflow: administrative powers (行政权力) defined once, checked, run, supervised and
published."""

__version__ = "0.1.0"
