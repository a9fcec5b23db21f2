"""clarus-mock: a local twin of the Clarus WMS API."""

__version__ = "0.1.0"
