import ipaddress

import pytest

from factcheck.errors import AddressRefused
from factcheck.web.safety import AddressPolicy


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "224.0.0.251", "255.255.255.255", "::1", "fe80::1",
    "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:a00:1::1", "::",
])
def test_not_public_addresses_are_refused(address: str) -> None:
    assert not AddressPolicy().permits(ipaddress.ip_address(address))
    with pytest.raises(AddressRefused, match="not a public address"):
        AddressPolicy().check("host.example", [address])


@pytest.mark.parametrize("address", ["8.8.8.8", "203.0.114.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert AddressPolicy().permits(ipaddress.ip_address(address))


def test_one_bad_address_among_good_ones_refuses_the_host() -> None:
    with pytest.raises(AddressRefused):
        AddressPolicy().check("mixed.example", ["8.8.8.8", "10.0.0.8"])


def test_allowing_names_exactly_what_is_allowed() -> None:
    policy = AddressPolicy.allowing("127.0.0.1/32")
    assert policy.check("localhost", ["127.0.0.1"]) == ["127.0.0.1"]
    with pytest.raises(AddressRefused):
        policy.check("other", ["127.0.0.2"])
    assert AddressPolicy(allow_private=True).permits(ipaddress.ip_address("10.1.1.1"))
