"""Integrity checks a PDF signature validator leaves to the caller.

- the bytes outside the signed byte range (the hex-encoded CMS) must be exactly what a signer
  writes, and the parts of the CMS container its signature does not cover must be as signed;
- after the signed revision, only what PAdES adds for the long term is accepted: a document
  security store (DSS/VRI, B-LT), document time-stamps (B-LTA), and in the document
  information dictionary and the XMP metadata only the modification date and producer (which
  every PDF writer, ``pyhanko sign ltvfix`` included, updates). pyHanko's difference analysis
  judges the object graph with :data:`STRICT_DIFF_POLICY`, its default policy without form
  filling; :func:`metadata_changes` then holds the metadata's content to those two facts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from asn1crypto import algos, cms, tsp
from asn1crypto import parser as asn1_parser
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from lxml import etree
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DocInfoRule,
    DSSCompareRule,
    FormUpdatingRule,
    MetadataUpdateRule,
    ModificationLevel,
    ObjectStreamRule,
    SigFieldCreationRule,
    SigFieldModificationRule,
    XrefStreamRule,
)
from pyhanko.sign.diff_analysis.policies import StandardDiffPolicy

from consentbooth.core.i18n import Message

STRICT_DIFF_POLICY = StandardDiffPolicy(
    global_rules=[
        CatalogModificationRule(),
        DocInfoRule().as_qualified(ModificationLevel.LTA_UPDATES),  # narrowed: see info_changes
        XrefStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        ObjectStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        DSSCompareRule().as_qualified(ModificationLevel.LTA_UPDATES),
        MetadataUpdateRule().as_qualified(ModificationLevel.LTA_UPDATES),  # narrowed too
    ],
    form_rule=FormUpdatingRule(field_rules=[SigFieldCreationRule(), SigFieldModificationRule()]),
)
# Keys of the document information dictionary, and XMP properties, a later revision may change.
INFO_UPDATABLE = frozenset({"/ModDate", "/Producer"})
_XMP = "{http://ns.adobe.com/xap/1.0/}"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
XMP_UPDATABLE = frozenset(
    {_XMP + "ModifyDate", _XMP + "MetadataDate", "{http://ns.adobe.com/pdf/1.3/}Producer"}
)
_SIGNATURE_TIME_STAMP = "1.2.840.113549.1.9.16.2.14"  # id-aa-signatureTimeStampToken (RFC 3161)


def _resolve(resolver: HistoricalResolver, value: object) -> object:
    """``value`` as it was in ``resolver``'s revision (references resolved in that revision)."""
    if isinstance(value, generic.IndirectObject):
        value = value.reference
    if isinstance(value, generic.Reference):
        return resolver(value)
    return value


def _info(reader: PdfFileReader, revision: int) -> dict[str, str]:
    resolver = reader.get_historical_resolver(revision)
    try:
        info = _resolve(resolver, resolver.trailer_view.raw_get("/Info"))
    except KeyError:
        return {}
    if not isinstance(info, generic.DictionaryObject):
        return {"": repr(info)}
    return {str(k): repr(_resolve(resolver, info.raw_get(k))) for k in info}


def _xmp(reader: PdfFileReader, revision: int) -> dict[str, str]:
    """The XMP metadata's properties (qualified name -> text), without the updatable ones."""
    resolver = reader.get_historical_resolver(revision)
    try:
        stream = _resolve(resolver, resolver.root.raw_get("/Metadata"))
    except KeyError:
        return {}
    if not isinstance(stream, generic.StreamObject):
        return {"": repr(stream)}
    data = stream.data
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        return {"": data.hex()}  # unreadable: compared as bytes
    facts: dict[str, str] = {}
    for description in root.iter(_RDF + "Description"):
        for name, value in description.attrib.items():
            if name != _RDF + "about":
                facts[name] = str(value)
        for child in description:
            if isinstance(child.tag, str):
                facts[child.tag] = " ".join(" ".join(child.itertext()).split())
    return {k: v for k, v in facts.items() if k not in XMP_UPDATABLE}


def metadata_changes(reader: PdfFileReader, signed_revision: int) -> list[str]:
    """Document information keys and XMP properties changed after ``signed_revision``,
    other than the modification date and producer every writer updates (empty: none)."""
    signed_info = _info(reader, signed_revision)
    signed_xmp = _xmp(reader, signed_revision)
    changed: set[str] = set()
    for revision in range(signed_revision + 1, reader.xrefs.total_revisions):
        info = _info(reader, revision)
        changed |= {
            k.lstrip("/")
            for k in signed_info.keys() | info.keys()
            if signed_info.get(k) != info.get(k) and k not in INFO_UPDATABLE
        }
        xmp = _xmp(reader, revision)
        changed |= {
            k.rsplit("}", 1)[-1] or "XMP"
            for k in signed_xmp.keys() | xmp.keys()
            if signed_xmp.get(k) != xmp.get(k)
        }
    return sorted(changed)


def contents_canonical(pdf: bytes, byte_range: Sequence[int], cms_bytes: bytes) -> Message | None:
    """Why the signature's /Contents gap is not exactly what a signer writes (None: it is).

    The byte range leaves out the hex-encoded CMS; pyHanko ignores bytes after the DER object
    and hex case, so check both here: every byte of the file must be accounted for.
    """
    _start1, len1, start2, _len2 = (int(v) for v in byte_range)
    gap = pdf[len1:start2]
    info = asn1_parser.parse(cms_bytes, strict=False)
    der_len = len(info[3]) + len(info[4]) + len(info[5])
    if any(cms_bytes[der_len:]):
        return Message("the signature container's padding was altered")
    hex_digits = cms_bytes.hex().encode("ascii")
    if gap not in (b"<" + hex_digits.upper() + b">", b"<" + hex_digits + b">"):
        return Message("the signature container's encoding was altered")
    return None


_ESS_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"


def _unsigned_ok(info: cms.SignerInfo) -> bool:
    """No unsigned attribute, or exactly one signature time-stamp token (PAdES B-T).

    The token itself (its imprint of this signature, its TSA signature) is checked by the
    validator; nothing else may ride along outside the signature.
    """
    attrs = info["unsigned_attrs"]
    if attrs.native is None:
        return True
    return (
        len(attrs) == 1
        and attrs[0]["type"].dotted == _SIGNATURE_TIME_STAMP
        and len(attrs[0]["values"]) == 1
    )


def cms_problem(signed_data: cms.SignedData) -> Message | None:
    """Why the parts of the CMS container that its signature does not cover are not as signed.

    The CMS signature covers only the signed attributes. Versions, algorithm lists and the
    embedded certificates are outside it, so they are pinned here: versions per RFC 5652,
    digest algorithms equal to the signer's, the signer certificate bound by its hash in the
    signed ESS signing-certificate-v2 attribute, every other certificate a verified issuer.
    """
    infos = signed_data["signer_infos"]
    if len(infos) != 1:
        return Message("the signature container must hold exactly one signer")
    info = infos[0]
    by_ski = info["sid"].name == "subject_key_identifier"
    if info["version"].native != ("v3" if by_ski else "v1"):
        return Message("the signer information's version was altered")
    if signed_data["version"].native != ("v3" if by_ski else "v1"):
        return Message("the signature container's version was altered")
    digest = info["digest_algorithm"]
    canonical = [
        algos.DigestAlgorithm({"algorithm": digest["algorithm"].native}).dump(),
        algos.DigestAlgorithm({"algorithm": digest["algorithm"].native, "parameters": None}).dump(),
        bytes.fromhex("300d06096086480165030402010500"),  # sha256 with explicit NULL
    ]
    if digest.dump() not in canonical or [a.dump() for a in signed_data["digest_algorithms"]] != [
        digest.dump()
    ]:
        return Message("the signature container's digest algorithms were altered")
    encap = signed_data["encap_content_info"]
    if encap["content_type"].native != "data" or encap["content"].native is not None:
        return Message("the signature container's content type was altered")
    if signed_data["crls"].native is not None or not _unsigned_ok(info):
        return Message("unsigned data was added to the signature container")
    certs = [c.chosen for c in signed_data["certificates"]]
    sid = info["sid"].chosen
    if by_ski:
        signer = [c for c in certs if c.key_identifier == sid.native]
    else:
        signer = [
            c
            for c in certs
            if c.issuer == sid["issuer"] and c.serial_number == sid["serial_number"].native
        ]
    if not signer or len({c.dump() for c in signer}) != 1:
        return Message("the signer certificate is missing from the signature container")
    ess = [a for a in info["signed_attrs"] if a["type"].dotted == _ESS_SIGNING_CERTIFICATE_V2]
    if len(ess) != 1:
        return Message("the signature does not bind its signer certificate (no ESS attribute)")
    value = ess[0]["values"][0]
    if not isinstance(value, tsp.SigningCertificateV2):
        value = tsp.SigningCertificateV2.load(value.dump())
    cert_id = value["certs"][0]
    algo = cert_id["hash_algorithm"]["algorithm"].native
    if hashlib.new(algo, signer[0].dump()).digest() != cert_id["cert_hash"].native:
        return Message("the signer certificate was altered after signing")
    # Any other certificate must be an issuer on the signer's chain, with a valid signature.
    chain = [x509.load_der_x509_certificate(signer[0].dump())]
    others = [
        x509.load_der_x509_certificate(c.dump()) for c in certs if c.dump() != signer[0].dump()
    ]
    while others:
        issuer = next((c for c in others if c.subject == chain[-1].issuer), None)
        if issuer is None:
            return Message("the signature container holds a certificate outside the signer's chain")
        try:
            chain[-1].verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            return Message("a certificate in the signature container was altered")
        others.remove(issuer)
        chain.append(issuer)
    if chain[-1].issuer == chain[-1].subject and len(chain) > 1:
        try:
            chain[-1].verify_directly_issued_by(chain[-1])
        except (ValueError, TypeError, InvalidSignature):
            return Message("the root certificate in the signature container was altered")
    return None
