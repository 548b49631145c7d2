"""One check of a row's id (BIGINT) for every surface that takes an id from outside."""

import pytest

from plugin.models.types import MAX_ID, is_row_id


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        pytest.param(1, True, id="the first row"),
        pytest.param(MAX_ID, True, id="the largest BIGINT"),
        pytest.param(MAX_ID + 1, False, id="beyond BIGINT: no row, and no database comparison"),
        pytest.param(0, False, id="zero"),
        pytest.param(-5, False, id="negative"),
        pytest.param(True, False, id="a bool is not an id"),
        pytest.param("7", False, id="a string of digits is not an int"),
        pytest.param(7.0, False, id="nor is a float"),
        pytest.param(None, False, id="nothing"),
    ],
)
def test_a_row_id_is_a_positive_bigint(value, ok):
    assert is_row_id(value) is ok


def test_max_id_is_bigint():
    assert MAX_ID == 2**63 - 1
