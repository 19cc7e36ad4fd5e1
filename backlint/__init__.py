"""backlint: checks backend code against the practices of a senior backend architect."""
__version__ = "0.1.0"
