"""RFC 3161 timestamps of the anchor file's lines.

``portail-journal anchor`` sends the SHA-256 of each anchor line to the
time-stamping authority (TSA) of ``portail.journal_tsa_url`` and keeps its
answer in the anchor file; ``portail-journal verify`` checks the latest one
against the TSA's CA certificates (``portail.journal_tsa_ca_file``).

The requests are built, and the answers parsed and verified, with
``rfc3161-client`` (the RFC 3161 library of the Sigstore project, kept up to
date by Trail of Bits): it checks the CMS signature, the certificate chain
up to the given roots at the time of the stamp, the TSA certificate's
critical ``timeStamping`` usage, the nonce and the message imprint.  Doing
this by hand over ``asn1crypto`` would mean writing the CMS checks
ourselves, and ``rfc3161ng`` has not been released since 2020; calling
``openssl ts`` would leave the checks to parsing its text output.  The HTTP
exchange is one POST (RFC 3161 §3.4), made with the standard library.
"""
import urllib.error
import urllib.request

from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

#: seconds to wait for the TSA
TIMEOUT = 30


class TimestampError(Exception):
    """No valid timestamp: the TSA could not be reached, refused, or its token
    does not verify."""


def _roots(ca_file):
    try:
        with open(ca_file, 'rb') as fh:
            return x509.load_pem_x509_certificates(fh.read())
    except (OSError, ValueError) as exc:
        raise TimestampError(f'the CA file {ca_file} cannot be read: {exc}') from None


def _verifier(builder, ca_file):
    for root in _roots(ca_file):
        builder = builder.add_root_certificate(root)
    return builder.build()


def request_token(url, data, ca_file):
    """The TSA's answer (a DER ``TimeStampResp``) stamping ``data``, checked
    against ``ca_file`` and the request's nonce before it is kept."""
    request = (TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256)
               .nonce(nonce=True).cert_request(cert_request=True).build())
    headers = {'Content-Type': 'application/timestamp-query',
               'Accept': 'application/timestamp-reply'}
    if not url.startswith(('http://', 'https://')):
        raise TimestampError(f'the time-stamping authority {url} is not an http(s) URL')
    # an http(s) URL (checked above) from the settings, not from a user
    http = urllib.request.Request(url, data=request.as_bytes(), method='POST',  # noqa: S310
                                  headers=headers)
    try:
        with urllib.request.urlopen(http, timeout=TIMEOUT) as answer:  # noqa: S310
            body = answer.read()
    except (urllib.error.URLError, OSError) as exc:
        raise TimestampError(f'the time-stamping authority {url} did not answer: {exc}') from None
    try:
        response = decode_timestamp_response(body)
        _verifier(VerifierBuilder.from_request(request), ca_file).verify_message(response, data)
    except (ValueError, VerificationError) as exc:
        raise TimestampError(f'the answer of {url} is not a valid timestamp: {exc}') from None
    return response.as_bytes()


def check_token(token, data, ca_file):
    """The time the TSA stamped ``data`` at, if ``token`` verifies; else raise
    :class:`TimestampError`."""
    try:
        response = decode_timestamp_response(token)
        _verifier(VerifierBuilder(), ca_file).verify_message(response, data)
    except (ValueError, VerificationError) as exc:
        raise TimestampError(str(exc)) from None
    return response.tst_info.gen_time
