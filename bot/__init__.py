"""LureCheck: spot recruitment lures into scam compounds and say where to get help."""

__version__ = "0.1.0"
