"""The package's version: written here once, read by the build (``[tool.hatch.version]``).

A literal, not ``importlib.metadata``: asking the installed metadata scans every
distribution on the path, which costs most commands 70 ms before they start.
"""

__version__ = "0.1.0"
