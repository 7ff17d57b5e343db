"""A real RFC 3161 time-stamping authority on 127.0.0.1, for tests.

OpenSSL's ``ts -reply`` answers every request (one ``openssl`` process per request, serialised
by a lock so its serial-number file is never raced), behind a tiny HTTP server in a thread on a
free port. Its certificates are made with ``cryptography``: a TSA root (CA) and a TSA signing
certificate with the critical ``timeStamping`` extended key usage, as RFC 3161 requires.

Use it as a pytest fixture (``tsa``, one per session) or directly::

    with LocalTSA(tmp_path) as tsa:
        token = timestamp_digest(tsa.url, digest, timeout=5)

``tsa.mode`` switches what it answers: ``"ok"`` (a real token), ``"garbage"`` (random bytes
with the right content type), ``"error"`` (HTTP 500), ``"html"`` (a web page). ``closed_url()``
is a URL where nothing listens (a TSA that is down).
"""

from __future__ import annotations

import datetime as dt
import http.server
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_CONFIG = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa-root.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
clock_precision_digits = 0
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def closed_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (the port was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Time Authority"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


class LocalTSA:
    def __init__(self, directory: Path | None = None) -> None:
        if shutil.which("openssl") is None:
            pytest.skip("openssl is not installed: apt-get install openssl")
        self._own_dir = directory is None
        self.dir = Path(directory or tempfile.mkdtemp(prefix="cb-tsa-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.mode = "ok"
        self.requests = 0
        self._lock = threading.Lock()
        self._make_certificates()
        self.config = self.dir / "openssl-ts.cnf"
        self.config.write_text(_CONFIG.format(dir=self.dir), encoding="ascii")
        (self.dir / "serial").write_text("01\n", encoding="ascii")
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- certificates ------------------------------------------------------------------------

    def _make_certificates(self) -> None:
        now = dt.datetime.now(dt.UTC)
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_name = _name("Test TSA Root")
        root_ski = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
        root = (
            x509.CertificateBuilder()
            .subject_name(root_name)
            .issuer_name(root_name)
            .public_key(root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .add_extension(root_ski, critical=False)
            .sign(root_key, hashes.SHA256())
        )
        tsa_key = ec.generate_private_key(ec.SECP256R1())
        tsa = (
            x509.CertificateBuilder()
            .subject_name(_name("Test TSA"))
            .issuer_name(root_name)
            .public_key(tsa_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3000))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(tsa_key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski),
                critical=False,
            )
            .sign(root_key, hashes.SHA256())
        )
        # The TSA root's CRL (nothing revoked): the revocation data long-term validation embeds.
        crl = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(root_name)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(now + dt.timedelta(days=30))
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski),
                critical=False,
            )
            .sign(root_key, hashes.SHA256())
        )
        self.crl_der = crl.public_bytes(serialization.Encoding.DER)
        self.root_pem = root.public_bytes(serialization.Encoding.PEM)
        self.cert_pem = tsa.public_bytes(serialization.Encoding.PEM)
        (self.dir / "tsa-root.pem").write_bytes(self.root_pem)
        (self.dir / "tsa.pem").write_bytes(self.cert_pem)
        _write_key(self.dir / "tsa.key", tsa_key)

    # -- answering ---------------------------------------------------------------------------

    def reply(self, query: bytes) -> bytes:
        """A DER TimeStampResp for a DER TimeStampReq, made by ``openssl ts -reply``."""
        with self._lock, tempfile.TemporaryDirectory(dir=self.dir) as work:
            query_path = Path(work) / "query.tsq"
            reply_path = Path(work) / "reply.tsr"
            query_path.write_bytes(query)
            done = subprocess.run(
                [
                    "openssl", "ts", "-reply", "-config", str(self.config),
                    "-queryfile", str(query_path), "-out", str(reply_path),
                ],
                capture_output=True,
                timeout=30,
                check=False,
            )
            if done.returncode != 0 or not reply_path.exists():
                raise RuntimeError(done.stderr.decode(errors="replace"))
            self.requests += 1
            return reply_path.read_bytes()

    def verify_with_openssl(self, token_or_reply: bytes, digest: bytes, *, token: bool = True) -> str:
        """``openssl ts -verify`` of a token (or a whole reply) against ``digest``; its output."""
        with tempfile.TemporaryDirectory(dir=self.dir) as work:
            path = Path(work) / ("token.der" if token else "reply.tsr")
            path.write_bytes(token_or_reply)
            args = ["openssl", "ts", "-verify", "-digest", digest.hex(), "-in", str(path)]
            if token:
                args.append("-token_in")
            args += ["-CAfile", str(self.dir / "tsa-root.pem"), "-untrusted", str(self.dir / "tsa.pem")]
            done = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
            return done.stdout + done.stderr

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        tsa = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def do_POST(self) -> None:  # http.server names handlers do_<METHOD>
                length = int(self.headers.get("Content-Length") or 0)
                query = self.rfile.read(length)
                mode = tsa.mode
                if mode == "error":
                    self.send_error(500, "TSA out of order")
                    return
                if mode == "garbage":
                    body, kind = os.urandom(300), "application/timestamp-reply"
                elif mode == "html":
                    body, kind = b"<html><body>Captive portal</body></html>", "text/html"
                else:
                    try:
                        body, kind = tsa.reply(query), "application/timestamp-reply"
                    except RuntimeError:
                        self.send_error(400, "bad request")
                        return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def start(self) -> LocalTSA:
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the TSA first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/tsa"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> LocalTSA:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def tsa(tmp_path_factory: pytest.TempPathFactory):
    """A running local TSA for the whole session; every test starts it in mode "ok"."""
    with LocalTSA(tmp_path_factory.mktemp("tsa")) as server:
        yield server


@pytest.fixture
def local_tsa(tsa: LocalTSA):
    """The session's TSA, reset to answer normally after the test."""
    tsa.mode = "ok"
    yield tsa
    tsa.mode = "ok"
