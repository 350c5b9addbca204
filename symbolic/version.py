"""The toolkit's version, in one place: pyproject.toml reads it (``[tool.setuptools.dynamic]``), and the disk cache
keys its entries by it without asking the installed metadata (a 20 ms scan of the environment at every start)."""

__version__ = "0.1.0"
