"""powerflow: administrative powers (行政权力) defined once, checked, run, watched, published."""

__version__ = "0.1.0"
