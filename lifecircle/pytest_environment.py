"""Test-wide environment, loaded as a pytest plugin (``-p lifecircle.pytest_environment``).

It must be a plugin named on the command line (``addopts``), not a conftest: pytest-django reads
Django's settings before any conftest is imported, so variables a conftest sets come too late.
"""
import os
import tempfile

# Graph files, uploads, the SQLite test database and the file cache go to a throw-away folder,
# never into var/, so two test runs in one checkout do not overwrite each other.
os.environ.setdefault("LIFECIRCLE_VAR_DIR", tempfile.mkdtemp(prefix="lifecircle-test-"))
# Tests create many users; a fast hasher keeps that cheap (never used outside the test run).
os.environ.setdefault("LIFECIRCLE_FAST_PASSWORD_HASHER", "1")
