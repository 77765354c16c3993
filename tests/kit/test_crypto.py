import os
import stat

import pytest
from cryptography.exceptions import InvalidTag

from xinyong.kit.crypto import Keyring, hash_token, load_master_key, new_token
from xinyong.kit.errors import Invalid

MASTER = bytes.fromhex("5a" * 32)
OTHER = bytes.fromhex("a5" * 32)
ID = "11010519491231002X"


@pytest.fixture
def keyring():
    return Keyring(MASTER)


def test_encrypt_then_decrypt_round_trips(keyring):  # R-SEC-2
    blob = keyring.encrypt(ID, context="entities.id_number")
    assert keyring.decrypt(blob, context="entities.id_number") == ID


def test_ciphertext_does_not_contain_the_plaintext_and_is_fresh_each_time(keyring):  # R-SEC-2
    a = keyring.encrypt(ID, context="entities.id_number")
    b = keyring.encrypt(ID, context="entities.id_number")
    assert ID.encode() not in a
    assert ID.encode().hex() not in a.hex()
    assert a != b  # random nonce: equal numbers do not give equal ciphertexts


def test_ciphertext_is_bound_to_its_context(keyring):  # R-SEC-2: cannot be moved to another column
    blob = keyring.encrypt(ID, context="entities.id_number")
    with pytest.raises(InvalidTag):
        keyring.decrypt(blob, context="related_persons.id_number")


def test_tampered_ciphertext_fails(keyring):  # R-SEC-2
    blob = bytearray(keyring.encrypt(ID, context="c"))
    blob[-1] ^= 1
    with pytest.raises(InvalidTag):
        keyring.decrypt(bytes(blob), context="c")


def test_another_master_key_cannot_decrypt(keyring):  # R-SEC-2
    blob = keyring.encrypt(ID, context="c")
    with pytest.raises(InvalidTag):
        Keyring(OTHER).decrypt(blob, context="c")


def test_blind_index_is_deterministic_and_distinguishes_values(keyring):  # R-SEC-2
    assert keyring.blind_index(ID) == Keyring(MASTER).blind_index(ID)
    assert keyring.blind_index(ID) != keyring.blind_index("110105194912310037")
    assert len(keyring.blind_index(ID)) == 64
    assert ID not in keyring.blind_index(ID)


def test_blind_index_is_keyed(keyring):  # R-SEC-2: not a plain hash anyone could compute
    import hashlib

    assert keyring.blind_index(ID) != Keyring(OTHER).blind_index(ID)
    assert keyring.blind_index(ID) != hashlib.sha256(ID.encode()).hexdigest()


def test_derived_keys_differ_by_purpose(keyring):  # R-SEC-2
    assert keyring.derive("a") != keyring.derive("b")
    assert keyring.derive("a") == Keyring(MASTER).derive("a")
    assert keyring.derive("a") != MASTER


def test_signing_key_verifies_its_own_signatures_only(keyring):  # R-REV-4
    from cryptography.exceptions import InvalidSignature

    sig = keyring.signing_key.sign(b"head")
    keyring.verify_key.verify(sig, b"head")
    with pytest.raises(InvalidSignature):
        Keyring(OTHER).verify_key.verify(sig, b"head")
    assert len(keyring.public_key_hex()) == 64


def test_master_key_from_hex_setting(tmp_path):  # R-SEC-1
    assert load_master_key("5a" * 32, tmp_path / "unused") == MASTER
    assert not (tmp_path / "unused").exists()


@pytest.mark.parametrize("bad", ["not hex at all", "5a" * 16])
def test_bad_master_key_setting_is_invalid(bad, tmp_path):  # R-SEC-1
    with pytest.raises(Invalid) as exc:
        load_master_key(bad, tmp_path / "k")
    assert exc.value.field == "secret_key"


def test_key_file_is_created_private_and_reused(tmp_path):  # R-SEC-1
    path = tmp_path / "keys" / "xinyong.key"
    first = load_master_key(None, path)
    assert len(first) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_master_key(None, path) == first


def test_tokens_are_random_and_hashed():  # R-SEC-1
    a, b = new_token("xy"), new_token("xy")
    assert a.startswith("xy_") and a != b
    assert hash_token(a) == hash_token(a) != hash_token(b)
    assert a not in hash_token(a)
