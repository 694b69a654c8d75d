"""Test-wide set-up that must happen before Django reads its settings."""
import os
import tempfile

# Graph files and uploads written by tests go to a throw-away folder, never into var/.
os.environ.setdefault("LIFECIRCLE_VAR_DIR", tempfile.mkdtemp(prefix="lifecircle-test-"))
# Tests create many users; a fast hasher keeps that cheap (never used outside the test run).
os.environ.setdefault("LIFECIRCLE_FAST_PASSWORD_HASHER", "1")
