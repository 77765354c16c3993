"""RFC 9162 §2.1: the tree hash and inclusion proofs, checked against a definition written out here."""

import hashlib

import pytest

from xinyong.audit import merkle


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) exactly as RFC 9162 §2.1.1 states it."""
    n = len(leaves)
    if n == 0:
        return sha(b"")
    if n == 1:
        return sha(b"\x00" + leaves[0])
    k = 1
    while k * 2 < n:  # the largest power of two smaller than n
        k *= 2
    return sha(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def data(n: int) -> list[bytes]:
    return [f"event-{i}".encode() for i in range(n)]


def test_leaf_and_node_hashes_use_the_domain_prefixes():  # R-REV-4
    assert merkle.leaf_hash(b"a") == sha(b"\x00a")
    assert merkle.node_hash(b"L", b"R") == sha(b"\x01LR")
    assert merkle.leaf_hash(b"a") != sha(b"a")  # a leaf can never pass for a node


def test_small_trees_written_out_by_hand():  # R-REV-4
    d0, d1, d2, d3, d4 = data(5)
    l0, l1, l2, l3, l4 = (sha(b"\x00" + d) for d in (d0, d1, d2, d3, d4))
    n01 = sha(b"\x01" + l0 + l1)
    n23 = sha(b"\x01" + l2 + l3)
    assert merkle.root([]) == sha(b"")
    assert merkle.root([d0]) == l0
    assert merkle.root([d0, d1]) == n01
    # three leaves: the left subtree is the perfect tree of two, the right the lone third leaf
    assert merkle.root([d0, d1, d2]) == sha(b"\x01" + n01 + l2)
    assert merkle.root([d0, d1, d2, d3]) == sha(b"\x01" + n01 + n23)
    assert merkle.root([d0, d1, d2, d3, d4]) == sha(b"\x01" + sha(b"\x01" + n01 + n23) + l4)


@pytest.mark.parametrize("n", range(1, 41))
def test_compact_range_equals_the_recursive_definition(n):  # R-REV-4
    cr = merkle.CompactRange()
    for i, d in enumerate(data(n)):
        cr.append(d)
        assert cr.size == i + 1
    assert cr.root() == mth(data(n))


def test_compact_range_roots_along_the_way_match_each_prefix():  # R-REV-4
    leaves = data(40)
    cr = merkle.CompactRange()
    assert cr.root() == mth([])
    for i, d in enumerate(leaves):
        cr.append(d)
        assert cr.root() == mth(leaves[: i + 1])


def test_root_depends_on_order():  # R-REV-4
    assert merkle.root(data(4)) != merkle.root(list(reversed(data(4))))


SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33]


@pytest.mark.parametrize("n", SIZES)
def test_inclusion_proof_verifies_for_every_index(n):  # R-REV-4
    leaves = data(n)
    root = mth(leaves)
    for i in range(n):
        proof = merkle.inclusion_proof(i, leaves)
        assert merkle.verify_inclusion(i, n, leaves[i], proof, root), (n, i)


def test_inclusion_proof_of_a_known_tree():  # R-REV-4
    d = data(3)
    assert merkle.inclusion_proof(2, d) == [mth(d[:2])]
    assert merkle.inclusion_proof(0, d) == [mth(d[1:2]), mth(d[2:])]
    assert merkle.inclusion_proof(0, d[:1]) == []


@pytest.mark.parametrize("n", [2, 3, 5, 8, 13, 33])
def test_inclusion_fails_when_anything_is_tampered(n):  # R-REV-4
    leaves = data(n)
    root = mth(leaves)
    for i in range(n):
        proof = merkle.inclusion_proof(i, leaves)
        assert not merkle.verify_inclusion(i, n, b"forged", proof, root)
        assert not merkle.verify_inclusion(i, n, leaves[i], proof, mth(leaves[:-1] + [b"x"]))
        assert not merkle.verify_inclusion(i, n, leaves[i], proof[:-1], root)
        assert not merkle.verify_inclusion(i, n, leaves[i], proof + [proof[0]], root)
        assert not merkle.verify_inclusion((i + 1) % n, n, leaves[i], proof, root)
        # (a wrong tree size can give the same path shape; the size is bound by the signed tree head)
        assert not merkle.verify_inclusion(i, 2 * n + 1, leaves[i], proof, root)
        for j in range(len(proof)):
            bent = list(proof)
            bent[j] = sha(bent[j])
            assert not merkle.verify_inclusion(i, n, leaves[i], bent, root), (n, i, j)


def test_single_leaf_tree_inclusion_and_tampering():  # R-REV-4
    leaves = data(1)
    assert merkle.verify_inclusion(0, 1, leaves[0], [], mth(leaves))
    assert not merkle.verify_inclusion(0, 1, b"other", [], mth(leaves))


def test_index_outside_the_tree():  # R-REV-4
    leaves = data(4)
    with pytest.raises(IndexError):
        merkle.inclusion_proof(4, leaves)
    with pytest.raises(IndexError):
        merkle.inclusion_proof(-1, leaves)
    assert not merkle.verify_inclusion(4, 4, leaves[0], merkle.inclusion_proof(0, leaves), mth(leaves))
