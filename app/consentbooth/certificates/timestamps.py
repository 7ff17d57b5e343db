"""Trusted time (RFC 3161): ask a time-stamping authority (TSA) to vouch for a digest, and check
the tokens it returns.

A thin layer over pyHanko's ``HTTPTimeStamper`` (aiohttp) and its token validation. Every way
a TSA can fail (down, an HTTP error, an answer that is not a time-stamp, a refusal, a token for
other data) becomes one ``UserFacingError`` sentence; nothing is retried silently.

No TSA is configured by default: booth laptops are offline. Ops' merge and online laptops
time-stamp ledger checkpoints (``timestamp_digest``) and certificates (``sign_pdf(...,
timestamp_url=...)``, PAdES B-T).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from datetime import datetime

import aiohttp
from asn1crypto import cms, core, tsp
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

from consentbooth.core.errors import UserFacingError

DIGEST_ALGORITHM = "sha256"
DEFAULT_TIMEOUT = 10.0


class TimestampError(UserFacingError):
    """The time-stamping authority could not vouch for the time; the sentence says why."""


def make_timestamper(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> HTTPTimeStamper:
    """pyHanko's RFC 3161 HTTP client for ``url`` (http or https)."""
    if not url.lower().startswith(("http://", "https://")):
        raise TimestampError(
            "The time-stamping service address must start with http:// or https:// ({url}).",
            url=url,
        )
    return HTTPTimeStamper(url, timeout=timeout)


def explain(exc: BaseException, url: str) -> TimestampError:
    """The one sentence for why asking the TSA at ``url`` failed with ``exc``."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, aiohttp.ContentTypeError):
            return TimestampError(
                "The time-stamping service at {url} did not answer with a time-stamp "
                "(it sent something else; check the address).",
                url=url,
            )
        if isinstance(cause, aiohttp.ClientResponseError):
            return TimestampError(
                "The time-stamping service at {url} answered with an error (HTTP {status}); "
                "try again later.",
                url=url,
                status=cause.status,
            )
        if isinstance(cause, TimeoutError):
            return TimestampError(
                "The time-stamping service at {url} did not answer in time; check the network "
                "and try again.",
                url=url,
            )
        if isinstance(cause, aiohttp.ClientConnectionError | OSError) and not isinstance(
            cause, TimestampRequestError
        ):
            return TimestampError(
                "The time-stamping service at {url} cannot be reached; check the network and "
                "the address.",
                url=url,
            )
        cause = cause.__cause__
    if isinstance(exc, TimestampRequestError) and "refused" in str(exc):
        return TimestampError(
            "The time-stamping service at {url} refused the request ({detail}).",
            url=url,
            detail=str(exc),
        )
    return TimestampError(
        "The time-stamping service at {url} sent an answer that is not a valid time-stamp.",
        url=url,
    )


def _check_token_shape(token: cms.ContentInfo) -> tsp.TSTInfo:
    """The token's TSTInfo; ValueError when it is not a time-stamp token at all."""
    if token["content_type"].native != "signed_data":
        raise ValueError("not a SignedData")
    encap = token["content"]["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise ValueError("not a TSTInfo")
    content = encap["content"]
    info = content.parsed if isinstance(content, core.ParsableOctetString) else None
    if not isinstance(info, tsp.TSTInfo):
        raise ValueError("not a TSTInfo")
    _ = info["gen_time"].native, info["message_imprint"]["hashed_message"].native
    return info


def timestamp_digest(url: str, digest: bytes, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """A DER TimeStampToken from the TSA at ``url`` for the SHA-256 ``digest``.

    The token is checked before it is returned (it names this digest and its signature is
    intact); whether its TSA is trusted is for :func:`verify_timestamp` with trust roots.
    """
    if len(digest) != hashlib.sha256().digest_size:
        raise ValueError("digest must be a SHA-256 digest (32 bytes)")
    stamper = make_timestamper(url, timeout=timeout)
    try:
        token = asyncio.run(stamper.async_timestamp(digest, DIGEST_ALGORITHM))
        der = token.dump()
        _check_token_shape(cms.ContentInfo.load(der))
    except (TimestampRequestError, aiohttp.ClientError, OSError) as exc:
        raise explain(exc, url) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise explain(exc, url) from None
    verify_timestamp(der, digest, None)
    return der


def _certs(pems: Sequence[bytes]) -> list[asn1_x509.Certificate]:
    out = []
    for data in pems:
        if asn1_pem.detect(data):
            out += [asn1_x509.Certificate.load(der) for _t, _h, der in asn1_pem.unarmor(data, multiple=True)]
        else:
            out.append(asn1_x509.Certificate.load(data))
    return out


def token_status(
    token: bytes | cms.ContentInfo,
    digest: bytes,
    trust_roots_pem: Sequence[bytes] | None,
) -> TimestampSignatureStatus:
    """pyHanko's status of a token for ``digest`` (raises ValueError if it is no token)."""
    info = token if isinstance(token, cms.ContentInfo) else cms.ContentInfo.load(token)
    _check_token_shape(info)
    signed_data = info["content"]
    embedded = [c.chosen for c in signed_data["certificates"] or []]
    if trust_roots_pem:
        roots = _certs(trust_roots_pem)
    else:  # integrity only: trust whatever the token carries, judge nothing more
        roots = embedded
    context = ValidationContext(
        trust_roots=roots, other_certs=embedded, allow_fetching=False, revocation_mode="soft-fail"
    )

    def imprint(algorithm: str) -> bytes:
        if algorithm != DIGEST_ALGORITHM:
            return b""  # the token was made for another digest algorithm: no match
        return digest

    kwargs = asyncio.run(validate_tst_signed_data(signed_data, context, imprint))
    return TimestampSignatureStatus(**kwargs)


def verify_timestamp(
    token: bytes, digest: bytes, trust_roots_pem: Sequence[bytes] | None
) -> datetime:
    """The time a token vouches for ``digest``; ``TimestampError`` (one sentence) if it does not.

    With ``trust_roots_pem`` the TSA must also chain to one of them; without, only the token's
    integrity is checked (the time is then the TSA's claim, not yet established).
    """
    try:
        status = token_status(token, digest, trust_roots_pem)
    except (ValueError, TypeError, KeyError, AttributeError, SignatureValidationError):
        raise TimestampError("This is not a valid time-stamp token.") from None
    if not status.intact:
        raise TimestampError(
            "The time-stamp does not match this data: it was made for other content."
        )
    if not status.valid:
        raise TimestampError("The time-stamp's signature is not valid.")
    if trust_roots_pem and not status.trusted:
        raise TimestampError(
            "The time-stamp comes from a time-stamping authority you do not trust."
        )
    return status.timestamp
