"""wagtail-consult: e-participation for Wagtail sites."""

__version__ = "0.1.0"
