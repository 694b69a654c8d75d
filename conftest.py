"""Test-wide set-up that must happen before Django reads its settings."""
import os
import tempfile

# Graph files and uploads written by tests go to a throw-away folder, never into var/.
os.environ.setdefault("LIFECIRCLE_VAR_DIR", tempfile.mkdtemp(prefix="lifecircle-test-"))
# Tests create many users; a fast hasher keeps that cheap (never used outside the test run).
os.environ.setdefault("LIFECIRCLE_FAST_PASSWORD_HASHER", "1")
# Staff second factor is off for the suite (force_login'd staff would otherwise be sent to verify);
# the tests of the second factor switch it on. Production always has it (settings.STAFF_TWO_FACTOR).
os.environ.setdefault("LIFECIRCLE_STAFF_2FA", "0")
