"""The vendor's REST surface: one route per contract operation, mounted at /api and /api/v1."""
