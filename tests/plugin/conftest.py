"""The plugin is tested the way users meet it: pytest runs a test file that uses its fixtures."""

pytest_plugins = ["pytester"]
