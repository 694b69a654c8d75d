"""Walking speed profiles."""

import numpy as np
import pytest

from lifecircle.geo.walking import GB50180_DISTANCES_M, metres_to_minutes, minutes_to_metres, speed_m_per_min


def test_profiles():
    assert minutes_to_metres([5, 10, 15]).tolist() == [300.0, 600.0, 900.0]  # planning: GB 50180 5 min = 300 m
    assert minutes_to_metres(15, "adult") == pytest.approx(1080.0)  # 1.2 m/s
    assert minutes_to_metres(15, "elderly") == pytest.approx(810.0)  # 0.9 m/s
    assert minutes_to_metres(10, 80) == 800.0
    assert metres_to_minutes(540, "elderly") == pytest.approx(10.0)
    assert GB50180_DISTANCES_M[5] == minutes_to_metres(5)


@pytest.mark.parametrize("bad", ["jogging", 0, -1, np.nan])
def test_bad_profiles(bad):
    with pytest.raises(ValueError, match="walking speed"):
        speed_m_per_min(bad)
