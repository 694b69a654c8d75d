"""The accounts tests read the English messages; the site's default language is zh-hans."""
from lifecircle.testing import english  # noqa: F401  (a fixture shared by the apps' tests)
