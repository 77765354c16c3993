"""Key material and the few primitives the platform needs (R-SEC-2).

One master key (XINYONG_SECRET_KEY, or a key file made on first use) and purpose-bound keys
derived from it with HKDF, so a key used for one thing can never decrypt or sign another.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import Invalid

NONCE_BYTES = 12


def load_master_key(secret_key: str | None, key_file: Path, *, recorded: str | None = None) -> bytes:
    """The key from XINYONG_SECRET_KEY or the key file. A new key file is made only for a database
    that has none on record: once data is encrypted and signed with a key, a missing or different
    key must stop the platform, not quietly start a second history."""
    if secret_key:
        try:
            key = bytes.fromhex(secret_key)
        except ValueError:
            raise Invalid("XINYONG_SECRET_KEY 应为十六进制字符串", field="secret_key") from None
        if len(key) < 32:
            raise Invalid("XINYONG_SECRET_KEY 至少 32 字节（64 个十六进制字符）", field="secret_key")
        return _matching(key, recorded)
    path = Path(key_file)
    if path.exists():
        return _matching(bytes.fromhex(path.read_text().strip()), recorded)
    if recorded:
        raise Invalid(f"数据库已登记密钥（指纹 {recorded[:16]}…），但找不到密钥文件 {path.resolve()}：请在原工作目录运行，"
                      "或设置 XINYONG_SECRET_KEY / XINYONG_KEY_FILE", field="secret_key")
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex())
    return key


def _matching(key: bytes, recorded: str | None) -> bytes:
    if recorded and Keyring(key).fingerprint() != recorded:
        raise Invalid(f"密钥与数据库登记的不一致（数据库指纹 {recorded[:16]}…）：用错了密钥文件或 XINYONG_SECRET_KEY",
                      field="secret_key")
    return key


class Keyring:
    def __init__(self, master: bytes):
        self._master = master

    def derive(self, purpose: str, length: int = 32) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=f"xinyong:{purpose}".encode()).derive(
            self._master
        )

    @cached_property
    def _aead(self) -> AESGCM:
        return AESGCM(self.derive("personal-id-encryption"))

    @cached_property
    def _index_key(self) -> bytes:
        return self.derive("personal-id-index")

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        """AES-256-GCM; ``context`` is bound as associated data so a ciphertext cannot be moved to another field."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), context.encode())

    def decrypt(self, blob: bytes, *, context: str) -> str:
        return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode()).decode()

    def blind_index(self, value: str) -> str:
        """Keyed hash used to find an encrypted value by equality without decrypting every row."""
        return hmac.new(self._index_key, value.encode(), hashlib.sha256).hexdigest()

    @cached_property
    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.derive("audit-signing"))

    @cached_property
    def verify_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    def public_key_hex(self) -> str:
        return self.verify_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()

    def fingerprint(self) -> str:
        """Safe to store and show: the audit verification key, which is public anyway."""
        return self.public_key_hex()

    @cached_property
    def session_key(self) -> bytes:
        return self.derive("web-session")


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    """Bearer tokens and session ids are random and long, so a plain SHA-256 is the right hash (no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()
