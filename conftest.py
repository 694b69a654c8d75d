"""The test-wide environment is set by the ``lifecircle.pytest_environment`` plugin (see
``addopts`` in pyproject.toml), which runs before pytest-django reads the settings."""
