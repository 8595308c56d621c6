"""Sans-IO SIP: message parsing/serialisation, TCP framing, Digest auth, server transactions."""

from anfang.protocols.sip.auth import DigestAuthenticator, DigestError, digest_response, parse_auth_params
from anfang.protocols.sip.message import (
    Headers,
    Message,
    Request,
    Response,
    SipParseError,
    canonical_name,
    header_params,
    header_uri,
    parse_message,
    uri_user,
)
from anfang.protocols.sip.stream import StreamParser
from anfang.protocols.sip.transaction import ServerTransactions, transaction_key

__all__ = [
    "DigestAuthenticator", "DigestError", "Headers", "Message", "Request", "Response", "ServerTransactions",
    "SipParseError", "StreamParser", "canonical_name", "digest_response", "header_params", "header_uri",
    "parse_auth_params", "parse_message", "transaction_key", "uri_user",
]
