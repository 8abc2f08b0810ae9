"""Kurier's comments service: comments, reactions and acknowledgements over HTTP."""

__version__ = "0.1.0"
