"""credpress: publish signed Open Badges 3.0 credentials as a static site."""

__version__ = "0.1.0"
