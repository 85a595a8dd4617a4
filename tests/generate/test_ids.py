from __future__ import annotations

import numpy as np
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret

from sources.demo import ids


def test_check_digits_match_real_numbers():
    # real rows of the stock: 000325175 / NIC 00016, 00024; 001807254
    assert ids.siren_from_base(np.array([32517, 180725])).tolist() == [325175, 1807254]
    assert ids.siret_nic(np.array([325175, 325175]), np.array([1, 2])).tolist() == [16, 24]


def test_draws_are_unique_valid_and_never_la_poste():
    rng = np.random.default_rng(0)
    sirens = ids.zero_pad(ids.draw_sirens(rng, 5000), 9)
    assert sirens.n_unique() == 5000
    assert "356000000" not in sirens.to_list()
    assert all(std_siren.is_valid(s) for s in sirens)
    nics = ids.zero_pad(ids.siret_nic(sirens.cast(int).to_numpy(), np.arange(1, 5001) % 9999 + 1), 5)
    assert all(std_siret.is_valid(s + n) for s, n in zip(sirens, nics, strict=True))


def test_luhn_valid_helper():
    assert ids.luhn_valid(["000325175", "00032517500016", "000325176", "12A"]) == [True, True, False, False]
