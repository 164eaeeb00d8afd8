"""A demo certification authority and unit keys, made at demo time (no private key is
committed): the CA certificate becomes a trust root, each unit gets ``<code>.p12`` (the
agency), ``<code>.signer.p12`` (its first signer) with a ``.pass`` file, and a red seal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from lantoa.documents.signing import draw_seal, keys_dir, unit_key_name
from lantoa.units.models import Unit

DEMO_CA_NAME = "Lantoa Demo CA"


@dataclass
class Issued:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate


def _cap(value: str, limit: int = 64) -> str:
    while len(value.encode()) > limit:
        value = value[:-1]
    return value.strip()


def _name(common: str, organisation: str = "") -> x509.Name:
    # X.520 caps both at 64 characters
    common, organisation = _cap(common), _cap(organisation)
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common))
    return x509.Name(attrs)


def make_ca(*, days: int = 3650) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    name = _name(DEMO_CA_NAME, "Lantoa (demo)")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def issue_cert(
    ca: Issued,
    *,
    common: str,
    organisation: str,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common, organisation))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(key, cert)


def pkcs12_bytes(issued: Issued, ca: Issued, password: bytes, label: str) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        label.encode(),
        issued.key,
        issued.cert,
        [ca.cert],
        serialization.BestAvailableEncryption(password),
    )


def ca_pem(ca: Issued) -> bytes:
    return ca.cert.public_bytes(serialization.Encoding.PEM)


def trust_dir() -> Path:
    from lantoa.documents.verification import trust_roots_dir

    return trust_roots_dir()


def write_unit_keys(
    ca: Issued, unit: Unit, *, signer_name: str, password: str, folder: Path | None = None
) -> Path:
    folder = folder or keys_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = unit_key_name(unit)
    agency = issue_cert(ca, common=unit.name, organisation=unit.name)
    (folder / f"{name}.p12").write_bytes(pkcs12_bytes(agency, ca, password.encode(), unit.name))
    (folder / f"{name}.pass").write_text(password)
    if signer_name:
        person = issue_cert(ca, common=signer_name, organisation=unit.name)
        (folder / f"{name}.signer.p12").write_bytes(
            pkcs12_bytes(person, ca, password.encode(), signer_name)
        )
        (folder / f"{name}.signer.pass").write_text(password)
    draw_seal(unit.name).save(folder / f"{name}.seal.png")
    return folder / f"{name}.p12"


def demo_pki(units: list[Unit], *, signer_names: dict[int, str], password: str) -> Path:
    """The demo CA (kept as a trust root) and keys for ``units``; returns the CA's path."""
    ca = make_ca()
    roots = trust_dir()
    roots.mkdir(parents=True, exist_ok=True)
    path = roots / "lantoa-demo-ca.pem"
    path.write_bytes(ca_pem(ca))
    for unit in units:
        write_unit_keys(ca, unit, signer_name=signer_names.get(unit.pk, ""), password=password)
    return path


def build(world) -> None:
    """Demo step: electronic identifier codes (``VN.<code>``, chosen for the demo) and keys
    for every unit that has signers (the demo's issuing units)."""
    from django.conf import settings
    from django.db.models import Value
    from django.db.models.functions import Concat

    Unit.objects.filter(edoc_code="").exclude(code="").update(
        edoc_code=Concat(Value("VN."), "code")
    )

    from lantoa.documents.models import UnitSigner

    first: dict[int, str] = {}
    for s in UnitSigner.objects.filter(active=True).order_by("unit_id", "position", "id"):
        first.setdefault(s.unit_id, s.name)
    units = list(Unit.objects.filter(pk__in=first))
    demo_pki(units, signer_names=first, password=settings.LANTOA_DEMO_PASSWORD)
