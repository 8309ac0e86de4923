import ssl
from pathlib import Path

import pytest

from my_service.resources import outbound_tls


def test_outbound_tls_reads_the_os_store_lazily(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    context = outbound_tls()
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    # Nothing is loaded at start: issuers are read from the directory during handshakes.
    assert context.cert_store_stats()["x509_ca"] == 0


def test_outbound_tls_falls_back_to_the_ca_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "missing"))
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    assert outbound_tls() is True

    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "bundle.pem"))
    assert outbound_tls() is True
