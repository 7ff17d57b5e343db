"""A throwaway PostgreSQL cluster for the hub tests: Debian's server binaries, ``initdb`` and
``pg_ctl`` run as an unprivileged user (``nobody`` when the tests run as root: initdb refuses
root), the Unix socket in a temporary folder, TCP on 127.0.0.1 with TLS from a CA made here.
Removed afterwards. Without a server: skipped with one line, except in CI (``CI=true``), where
it is a failure.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import ipaddress
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
OPS_ROLE_PASSWORD = "ops-Pass-9fK2"


def find_bindir() -> Path | None:
    """The server binaries (initdb, pg_ctl, postgres) of the newest installed PostgreSQL."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if Path(candidate, "initdb").exists() and Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and Path(found).with_name("initdb").exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _make_tls(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for localhost / 127.0.0.1 (what verify-full checks)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ConsentBooth test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "root.crt", folder / "server.crt", folder / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_path, cert_path, key_path


@dataclass
class PostgresServer:
    """A running throwaway cluster."""

    root: Path
    data: Path
    socket_dir: Path
    port: int
    ca_cert: Path
    bindir: Path
    run_as: str | None

    def superuser_url(self, database: str = "postgres") -> str:
        """Through the Unix socket, trusted for the superuser only (setting up, checking)."""
        return f"postgresql://{SUPERUSER}@/{database}?host={self.socket_dir}&port={self.port}"

    def tcp_url(self, database: str, user: str, *, sslmode: str = "verify-full") -> str:
        """As ops connect: TCP with TLS; the password comes from PGPASSWORD or ~/.pgpass."""
        return (f"postgresql://{user}@localhost:{self.port}/{database}"
                f"?sslmode={sslmode}&sslrootcert={self.ca_cert}")

    def client(self, tool: str, *args: str) -> list[str]:
        """The command line of a PostgreSQL client (psql, pg_dump...) as the superuser, through the
        Unix socket."""
        return [str(self.bindir / tool), "-h", str(self.socket_dir), "-p", str(self.port), "-U", SUPERUSER, *args]

    def psql(self, sql: str, database: str = "postgres") -> str:
        done = subprocess.run(
            self.client("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql),
            check=True, capture_output=True, text=True,
        )
        return done.stdout.strip()

    def new_database(self, *, owner: str = "hubadmin") -> str:
        """A fresh database owned by a non-superuser admin role (as a managed server gives)."""
        name = "hub_" + uuid.uuid4().hex[:10]
        self.psql(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN "
            f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{OPS_ROLE_PASSWORD}'; END IF; END $$;"
        )
        self.psql(f"CREATE DATABASE {name} OWNER {owner}")
        return name

    def add_login(self, user: str, *, member_of: str = "consentbooth_ops") -> None:
        self.psql(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}') THEN "
            f"CREATE ROLE {user} LOGIN PASSWORD '{OPS_ROLE_PASSWORD}'; END IF; END $$;"
        )
        self.psql(f"GRANT {member_of} TO {user}")

    def checkpoint(self) -> None:
        self.psql("CHECKPOINT")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def _ctl(self, *args: str) -> None:
        cmd = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-s", *args]
        subprocess.run(_as(self.run_as, cmd), check=True, capture_output=True, timeout=120)


def _as(user: str | None, cmd: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


def start_server() -> PostgresServer:
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    run_as = "nobody" if os.geteuid() == 0 else None
    # nobody must reach the folder: not under a private per-run TMPDIR; a short socket path
    root = Path(tempfile.mkdtemp(prefix="cb-pg-", dir="/tmp" if run_as else None))
    root.chmod(0o755)
    data, sock, tls = root / "data", root / "sock", root / "tls"
    for folder in (sock, tls):
        folder.mkdir()
    ca, cert, key = _make_tls(tls)
    key.chmod(0o600)
    if run_as:
        for path in (sock, tls, cert, key):
            shutil.chown(path, run_as)
        shutil.chown(root, run_as)
    subprocess.run(
        _as(run_as, [str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-E", "UTF8", "--locale=C",
                     "--auth-local=trust", "--auth-host=scram-sha-256", "-N"]),
        check=True, capture_output=True, timeout=180,
    )
    port = _free_port()
    conf = "\n".join([
        "listen_addresses = '127.0.0.1'", f"port = {port}", f"unix_socket_directories = '{sock}'",
        "ssl = on", f"ssl_cert_file = '{cert}'", f"ssl_key_file = '{key}'",
        "fsync = off", "full_page_writes = off", "synchronous_commit = off",
        "shared_buffers = 128MB", "max_connections = 40", "log_min_messages = warning",
        "password_encryption = 'scram-sha-256'",
    ])
    with (data / "postgresql.conf").open("a") as f:
        f.write("\n" + conf + "\n")
    (data / "pg_hba.conf").write_text(
        f"local all {SUPERUSER} trust\n"
        "local all all scram-sha-256\n"
        "hostssl all all 127.0.0.1/32 scram-sha-256\n"
        "host all all 127.0.0.1/32 scram-sha-256\n"
    )
    server = PostgresServer(root, data, sock, port, ca, bindir, run_as)
    server._ctl("start", "-l", str(root / "server.log"))
    return server


def remove_server(server: PostgresServer) -> None:
    with contextlib.suppress(Exception):
        server._ctl("stop", "-m", "immediate")
    shutil.rmtree(server.root, ignore_errors=True)
