"""The /__mock control API: conveniences that are not part of the vendor surface."""
