#!/usr/bin/env python3
"""Independent verifier of liuhen formats v1 and v2, implemented from docs/FORMAT.md alone.

Python 3.11 standard library only. Reads the golden vectors (entries.txt, roots.txt,
checkpoints.txt, ledger.vkey, and cosigned-checkpoint.txt with witness.vkey if present) from
tests/vectors/v1/ and tests/vectors/v2/ of the repository, or from the one directory given as the
only argument, and checks them against the specification:

* strict, canonical decoding of every entry of either version, chosen by its label (FORMAT.md
  sections 4-6, 6.4), all event variants, no trailing bytes, re-encoding to identical bytes;
* the signed message of each version (v1: 6.2; v2: the bound statement of 6.4);
* leaf hashes, the prev chain, sequence numbers, Merkle roots for every size (section 7);
* every statement signature with the strict Ed25519 rule (section 9, implemented here from
  RFC 8032 section 5.1 with the refusals FORMAT.md lists);
* the admission rule of section 10: key registry, roles (10.1), time bounds (10.2), binding
  and per-author counters (10.3), recording sessions (10.4), cases (10.5), holds (10.6) and the
  case back-link case_prev (10.7);
* each checkpoint: strict signed-note and body parsing, origin, key id, note signature under the
  vkey (section 12), its root against the entries, and the witness cosignature (12.6);
* the verification algorithm of section 13 end to end, then negative self-checks: tampered
  copies (flipped bytes, deleted, swapped or appended entries, edited checkpoints, wrong keys,
  replayed or moved statements, entries of the other version, changed case links) must be
  rejected with the findings section 13 names; statements that break the admission rule are
  signed with the golden fixture's keys where a key is needed.

Every check is counted; the last line is "N passed, M failed" and the exit status is non-zero
on any failure.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import os
import sys
import time

# ---------------------------------------------------------------------------------------------
# Check accounting
# ---------------------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.failures: list[str] = []

    def check(self, ok: bool, what: str) -> bool:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(what)
            print(f"FAIL: {what}")
        return ok


T = Tally()

# ---------------------------------------------------------------------------------------------
# Ed25519 (FORMAT.md section 9; RFC 8032 section 5.1, arithmetic after its section 6 code)
# ---------------------------------------------------------------------------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
NEUTRAL = (0, 1, 1, 0)


def _recover_x_even(y: int) -> int | None:
    """The square root x of (y^2 - 1) / (d y^2 + 1) with least significant bit 0, or None."""
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x2 = u * pow(v, P - 2, P) % P
    if x2 == 0:
        return 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if x & 1:
        x = P - x
    return x


def _base_point() -> tuple[int, int, int, int]:
    y = 4 * pow(5, P - 2, P) % P
    x = _recover_x_even(y)
    assert x is not None
    return (x, y, 1, x * y % P)


def point_add(p1, p2):
    a = (p1[1] - p1[0]) * (p2[1] - p2[0]) % P
    b = (p1[1] + p1[0]) * (p2[1] + p2[0]) % P
    c = 2 * p1[3] * p2[3] * D % P
    d = 2 * p1[2] * p2[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def point_mul(s: int, pt):
    q = NEUTRAL
    while s > 0:
        if s & 1:
            q = point_add(q, pt)
        pt = point_add(pt, pt)
        s >>= 1
    return q


def point_neg(pt):
    return ((-pt[0]) % P, pt[1], pt[2], (-pt[3]) % P)


def point_equal(p1, p2) -> bool:
    return (p1[0] * p2[2] - p2[0] * p1[2]) % P == 0 and (p1[1] * p2[2] - p2[1] * p1[2]) % P == 0


B = _base_point()


def encode_point(pt) -> bytes:
    zinv = pow(pt[2], P - 2, P)
    x = pt[0] * zinv % P
    y = pt[1] * zinv % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def decode_point(b: bytes):
    """FORMAT.md 9.2: y is the low 255 bits and must be < p; x = even root, negated if sign."""
    if len(b) != 32:
        return None
    n = int.from_bytes(b, "little")
    sign = n >> 255
    y = n & ((1 << 255) - 1)
    if y >= P:
        return None
    x = _recover_x_even(y)
    if x is None:
        return None
    if sign:
        x = (P - x) % P
    return (x, y, 1, x * y % P)


def small_order(pt) -> bool:
    return point_equal(point_mul(8, pt), NEUTRAL)


def valid_public_key(a: bytes) -> bool:
    """FORMAT.md 9.3."""
    pt = decode_point(a)
    return pt is not None and not small_order(pt)


_VERIFY_CACHE: dict[tuple[bytes, bytes, bytes], bool] = {}
SIGNATURES_VERIFIED = 0


def ed25519_verify(a: bytes, msg: bytes, sig: bytes) -> bool:
    """FORMAT.md 9.4, the strict acceptance rule. Results are cached (a pure function)."""
    key = (a, msg, sig)
    if key not in _VERIFY_CACHE:
        _VERIFY_CACHE[key] = _ed25519_verify(a, msg, sig)
    return _VERIFY_CACHE[key]


def _ed25519_verify(a: bytes, msg: bytes, sig: bytes) -> bool:
    global SIGNATURES_VERIFIED
    SIGNATURES_VERIFIED += 1
    if len(a) != 32 or len(sig) != 64:
        return False
    apt = decode_point(a)  # 1. valid public key
    if apt is None or small_order(apt):
        return False
    s = int.from_bytes(sig[32:], "little")  # 2. canonical S
    if s >= L:
        return False
    rpt = decode_point(sig[:32])  # 3. R decodes, not small order
    if rpt is None or small_order(rpt):
        return False
    k = int.from_bytes(hashlib.sha512(sig[:32] + a + msg).digest(), "little") % L  # 4.
    expected = point_add(point_mul(s, B), point_mul(k, point_neg(apt)))  # 5.
    return encode_point(expected) == sig[:32]


def ed25519_public(seed: bytes) -> bytes:
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return encode_point(point_mul(a, B))


def ed25519_sign(seed: bytes, msg: bytes) -> bytes:
    """RFC 8032 5.1.6; used only to build tampered test ledgers."""
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    pub = encode_point(point_mul(a, B))
    r = int.from_bytes(hashlib.sha512(h[32:] + msg).digest(), "little") % L
    rb = encode_point(point_mul(r, B))
    k = int.from_bytes(hashlib.sha512(rb + pub + msg).digest(), "little") % L
    return rb + ((r + k * a) % L).to_bytes(32, "little")


# ---------------------------------------------------------------------------------------------
# BLAKE3, inputs of at most one chunk (1024 bytes): enough for FORMAT.md section 11 examples.
# ---------------------------------------------------------------------------------------------

_B3_IV = [0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19]
_B3_PERM = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8]
_M32 = 0xFFFFFFFF


def _rotr(x: int, n: int) -> int:
    return ((x >> n) | (x << (32 - n))) & _M32


def _b3_g(s, a, b, c, d, mx, my):
    s[a] = (s[a] + s[b] + mx) & _M32
    s[d] = _rotr(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & _M32
    s[b] = _rotr(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b] + my) & _M32
    s[d] = _rotr(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & _M32
    s[b] = _rotr(s[b] ^ s[c], 7)


def _b3_compress(cv, block: bytes, counter: int, block_len: int, flags: int):
    m = [int.from_bytes(block[4 * i : 4 * i + 4], "little") for i in range(16)]
    s = list(cv) + _B3_IV[:4] + [counter & _M32, (counter >> 32) & _M32, block_len, flags]
    for r in range(7):
        _b3_g(s, 0, 4, 8, 12, m[0], m[1])
        _b3_g(s, 1, 5, 9, 13, m[2], m[3])
        _b3_g(s, 2, 6, 10, 14, m[4], m[5])
        _b3_g(s, 3, 7, 11, 15, m[6], m[7])
        _b3_g(s, 0, 5, 10, 15, m[8], m[9])
        _b3_g(s, 1, 6, 11, 12, m[10], m[11])
        _b3_g(s, 2, 7, 8, 13, m[12], m[13])
        _b3_g(s, 3, 4, 9, 14, m[14], m[15])
        if r < 6:
            m = [m[i] for i in _B3_PERM]
    return [s[i] ^ s[i + 8] for i in range(8)]


def blake3_small(data: bytes) -> bytes:
    if len(data) > 1024:
        raise ValueError("this BLAKE3 handles one chunk only")
    blocks = [data[i : i + 64] for i in range(0, len(data), 64)] or [b""]
    cv = list(_B3_IV)
    for i, blk in enumerate(blocks):
        flags = (1 if i == 0 else 0) | ((2 | 8) if i == len(blocks) - 1 else 0)
        cv = _b3_compress(cv, blk.ljust(64, b"\0"), 0, len(blk), flags)
    return b"".join(w.to_bytes(4, "little") for w in cv)


# ---------------------------------------------------------------------------------------------
# postcard 1.x subset (FORMAT.md section 4), schema-driven decode and encode
# ---------------------------------------------------------------------------------------------


class DecodeError(Exception):
    pass


class Reader:
    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise DecodeError(f"truncated: need {n} bytes at offset {self.pos}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def byte(self) -> int:
        return self.take(1)[0]

    def varint(self, bits: int) -> int:
        max_bytes = (bits + 6) // 7
        value = 0
        for i in range(max_bytes):
            b = self.byte()
            value |= (b & 0x7F) << (7 * i)
            if b & 0x80 == 0:
                if i > 0 and b == 0:
                    raise DecodeError("over-long varint (not the shortest form)")
                if value >> bits:
                    raise DecodeError(f"varint exceeds u{bits}")
                return value
        raise DecodeError(f"varint longer than {max_bytes} bytes")


def enc_varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


# Schema nodes: "u8" "bool" "u32" "u64" "i64" "str" ("bytes", n) ("option", t) ("seq", t)
# ("struct", name, [(field, t), ...]) ("enum", name, [(variant, payload), ...]) where payload
# is None (unit), a type (newtype variant) or a list of fields (struct variant).
# Values: ints, bools, str, bytes, None / value, lists, dicts (structs, in field order),
# (variant, payload value) tuples for enums.


def decode(t, r: Reader):
    if t == "u8":
        return r.byte()
    if t == "bool":
        b = r.byte()
        if b > 1:
            raise DecodeError(f"bool byte {b:#04x}")
        return b == 1
    if t == "u32":
        return r.varint(32)
    if t == "u64":
        return r.varint(64)
    if t == "i64":
        z = r.varint(64)
        return (z >> 1) ^ -(z & 1)
    if t == "str":
        n = r.varint(64)
        raw = r.take(n)
        try:
            return raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            raise DecodeError(f"invalid UTF-8: {e}") from None
    kind = t[0]
    if kind == "bytes":
        return r.take(t[1])
    if kind == "option":
        tag = r.byte()
        if tag == 0:
            return None
        if tag == 1:
            return decode(t[1], r)
        raise DecodeError(f"Option tag {tag:#04x}")
    if kind == "seq":
        n = r.varint(64)
        if n > len(r.data) - r.pos:  # every element takes at least one byte
            raise DecodeError("sequence longer than the input")
        return [decode(t[1], r) for _ in range(n)]
    if kind == "struct":
        return {name: decode(ft, r) for name, ft in t[2]}
    if kind == "enum":
        idx = r.varint(32)
        if idx >= len(t[2]):
            raise DecodeError(f"unknown {t[1]} variant index {idx}")
        vname, payload = t[2][idx]
        if payload is None:
            return (vname, None)
        if isinstance(payload, list):
            return (vname, {name: decode(ft, r) for name, ft in payload})
        return (vname, decode(payload, r))
    raise AssertionError(t)


def encode(t, v) -> bytes:
    if t == "u8":
        return bytes([v])
    if t == "bool":
        return b"\x01" if v else b"\x00"
    if t in ("u32", "u64"):
        return enc_varint(v)
    if t == "i64":
        return enc_varint(((v << 1) ^ (v >> 63)) & (2**64 - 1))
    if t == "str":
        raw = v.encode("utf-8")
        return enc_varint(len(raw)) + raw
    kind = t[0]
    if kind == "bytes":
        assert len(v) == t[1]
        return bytes(v)
    if kind == "option":
        return b"\x00" if v is None else b"\x01" + encode(t[1], v)
    if kind == "seq":
        return enc_varint(len(v)) + b"".join(encode(t[1], x) for x in v)
    if kind == "struct":
        return b"".join(encode(ft, v[name]) for name, ft in t[2])
    if kind == "enum":
        names = [n for n, _ in t[2]]
        idx = names.index(v[0])
        payload = t[2][idx][1]
        out = enc_varint(idx)
        if payload is None:
            return out
        if isinstance(payload, list):
            return out + b"".join(encode(ft, v[1][name]) for name, ft in payload)
        return out + encode(payload, v[1])
    raise AssertionError(t)


# --- the types of FORMAT.md section 5 and 6, transcribed from its tables ----------------------

DIGEST = ("bytes", 32)
TIMESTAMP = "i64"
SEALED = DIGEST
STR = "str"


def option(t):
    return ("option", t)


def seq(t):
    return ("seq", t)


def unit_enum(name, *variants):
    return ("enum", name, [(v, None) for v in variants])


PUBLIC_KEY = ("enum", "PublicKey", [("Ed25519", ("bytes", 32))])
SIGNATURE = ("enum", "Signature", [("Ed25519", ("bytes", 64))])
MEDIA_REF = ("struct", "MediaRef", [("digest", DIGEST), ("length", "u64"), ("mime", STR), ("name", STR)])
LOCATION = ("struct", "Location", [("place", STR), ("landmark", option(STR))])
SUITE = unit_enum("Suite", "Sha256Ed25519Blake3")
ACT_KIND = ("enum", "ActKind", [("Licensing", None), ("Inspection", None), ("Penalty", None),
                                ("Coercion", None), ("Other", STR)])
STAGE = unit_enum("Stage", "Initiation", "Investigation", "ReviewDecision", "ServiceExecution", "Archiving")
DOCUMENT_KIND = ("enum", "DocumentKind", [
    ("EnforcementDocument", None), ("InvestigationRecord", None), ("AppraisalOpinion", None),
    ("ExpertReport", None), ("HearingReport", None), ("CaseDiscussionMinutes", None),
    ("InternalApproval", None), ("ServiceReceipt", None), ("Other", STR)])
CAPTURE_METHOD = ("enum", "CaptureMethod", [
    ("Camera", None), ("AudioRecorder", None), ("VideoCamera", None), ("BodyWornRecorder", None),
    ("HandheldTerminal", None), ("VideoSurveillance", None), ("Other", STR)])
EXEMPTION_REASON = ("enum", "ExemptionReason", [
    ("StateSecret", None), ("TradeSecret", None), ("PersonalPrivacy", None), ("TextSuffices", None),
    ("Other", STR)])
PRESERVATION_TRIGGER = ("enum", "PreservationTrigger", [
    ("PartyObjection", None), ("Obstruction", None), ("MassIncidentOrEmergency", None),
    ("AdministrativeReview", None), ("Litigation", None), ("UnitDecision", STR)])
ROLE = unit_enum("Role", "Officer", "Device", "Station", "System", "Auditor", "Custodian")
INTERRUPTION_REASON = ("enum", "InterruptionReason", [
    ("Battery", None), ("Storage", None), ("Weather", None), ("DeviceFailure", None), ("Other", STR)])
DECISION_KIND = ("enum", "DecisionKind", [
    ("Grant", None), ("Refuse", None), ("Penalty", None), ("NoPenalty", None),
    ("CoerciveMeasure", None), ("LiftCoerciveMeasure", None), ("Other", STR)])
RETENTION = ("enum", "Retention", [("Until", TIMESTAMP), ("Permanent", None)])
RECORD_REF = ("enum", "RecordRef", [("Session", STR), ("Media", DIGEST), ("Case", STR)])
ARCHIVE_LABELS = ("struct", "ArchiveLabels", [
    ("case_no", STR), ("method", CAPTURE_METHOD), ("made_at", TIMESTAMP), ("made_by", STR),
    ("proves", STR), ("transcript", option(MEDIA_REF))])
DERIVATIVE_KIND = unit_enum("DerivativeKind", "Clip", "Redaction", "Transcript", "DiscImage")
CONFIDENTIALITY = unit_enum("Confidentiality", "Ordinary", "PersonalPrivacy", "TradeSecret", "Minor",
                            "StateSecret")

EVENT = ("enum", "Event", [
    ("Genesis", [("origin", STR), ("suite", SUITE), ("ledger_key", PUBLIC_KEY)]),
    ("KeyAuthorized", [("key", PUBLIC_KEY), ("role", ROLE), ("holder", STR)]),
    ("KeyRevoked", [("key", PUBLIC_KEY), ("reason", STR)]),
    ("CaseOpened", [("case_no", STR), ("act", ACT_KIND), ("matter", STR), ("unit", STR),
                    ("subject", SEALED)]),
    ("DocumentFiled", [("case_no", STR), ("stage", STAGE), ("kind", DOCUMENT_KIND),
                       ("media", MEDIA_REF), ("officers", seq(STR))]),
    ("DecisionMade", [("case_no", STR), ("kind", DECISION_KIND), ("document", MEDIA_REF),
                      ("relies_on", seq(DIGEST))]),
    ("CaseClosed", [("case_no", STR), ("outcome", STR), ("file_retention", RETENTION)]),
    ("PartyNotified", [("session", STR), ("case_no", STR), ("at", TIMESTAMP)]),
    ("RecordingStarted", [("session", STR), ("case_no", STR), ("device", PUBLIC_KEY),
                          ("method", CAPTURE_METHOD), ("location", LOCATION), ("matter", STR),
                          ("officers", seq(STR)), ("party", option(SEALED))]),
    ("SegmentSealed", [("session", STR), ("index", "u32"), ("prev_segment", option(DIGEST)),
                       ("media", MEDIA_REF), ("start", TIMESTAMP), ("end", TIMESTAMP)]),
    ("RecordingInterrupted", [("session", STR), ("reason", INTERRUPTION_REASON), ("at", TIMESTAMP)]),
    ("RecordingStopped", [("session", STR), ("segments", "u32"), ("last_segment", option(DIGEST))]),
    ("RecordingExempted", [("case_no", STR), ("reason", EXEMPTION_REASON), ("approved_by", STR)]),
    ("Archived", [("subject", RECORD_REF), ("custodian", STR), ("storage", STR),
                  ("labels", ARCHIVE_LABELS)]),
    ("Handover", [("media", DIGEST), ("from", STR), ("to", STR)]),
    ("RetentionSet", [("case_no", STR), ("until", RETENTION)]),
    ("PreservationOrdered", [("case_no", STR), ("trigger", PRESERVATION_TRIGGER)]),
    ("PreservationReleased", [("case_no", STR), ("approved_by", STR)]),
    ("DerivativeMade", [("original", DIGEST), ("derivative", MEDIA_REF), ("kind", DERIVATIVE_KIND),
                        ("reason", STR)]),
    ("MediaPurged", [("media", DIGEST), ("authority", STR)]),
    ("AccessRequested", [("request", STR), ("case_no", STR), ("requester", SEALED), ("basis", STR)]),
    ("AccessDecided", [("request", STR), ("granted", "bool"), ("reason", STR)]),
    ("RecordViewed", [("subject", RECORD_REF), ("by", STR), ("purpose", STR)]),
    ("RecordDisclosed", [("case_no", STR), ("to", SEALED), ("what", seq(DIGEST))]),
    ("Erased", [("commitment", SEALED), ("authority", STR)]),
    ("CircumstanceReported", [("case_no", STR), ("trigger", PRESERVATION_TRIGGER), ("summary", STR)]),
    ("ConfidentialityMarked", [("subject", RECORD_REF), ("level", CONFIDENTIALITY), ("reason", STR)]),
    ("DocumentDescribed", [("case_no", STR), ("document", DIGEST), ("proves", STR), ("pages", option("u32"))]),
])
REGISTRY_CHANGES = {"Genesis", "KeyAuthorized", "KeyRevoked"}

STATEMENT = ("struct", "Statement", [("time", TIMESTAMP), ("author", PUBLIC_KEY), ("event", EVENT)])
SIGNED_STATEMENT = ("struct", "SignedStatement", [("statement", STATEMENT), ("signature", SIGNATURE)])
ENTRY = ("struct", "Entry", [("seq", "u64"), ("prev", DIGEST), ("logged_at", TIMESTAMP),
                             ("statement", SIGNED_STATEMENT)])
# Format v2 (FORMAT.md 6.4): the statement carries a binding, the entry a case back-link.
STATEMENT_V2 = ("struct", "StatementV2", [("suite", SUITE), ("ledger", DIGEST), ("counter", "u64"),
                                          ("time", TIMESTAMP), ("author", PUBLIC_KEY), ("event", EVENT)])
ENTRY_V2 = ("struct", "EntryV2", [("seq", "u64"), ("prev", DIGEST), ("logged_at", TIMESTAMP),
                                  ("case_prev", option("u64")), ("statement", STATEMENT_V2),
                                  ("signature", SIGNATURE)])

LABEL_ENTRY = b"liuhen/v1/entry\0"
LABEL_STATEMENT = b"liuhen/v1/statement\0"
LABEL_ENTRY_V2 = b"liuhen/v2/entry\0"
LABEL_STATEMENT_V2 = b"liuhen/v2/statement\0"
LABEL_SEALED = b"liuhen/v1/sealed\0"
LABELS = {1: (LABEL_ENTRY, LABEL_STATEMENT, STATEMENT), 2: (LABEL_ENTRY_V2, LABEL_STATEMENT_V2, STATEMENT_V2)}
MAX_ENTRY_BYTES = 65535


class DecodedEntry:
    """One decoded entry of either version. `value` is the decoded struct of that version."""

    def __init__(self, version: int, value: dict, statement_slice: bytes) -> None:
        self.version = version
        self.value = value
        self.statement_slice = statement_slice  # postcard(Statement[V2]) as found in the entry

    @property
    def statement(self) -> dict:
        """time, author, event (and in v2 also suite, ledger, counter)."""
        return self.value["statement"]["statement"] if self.version == 1 else self.value["statement"]

    @property
    def signature(self) -> bytes:
        sig = self.value["statement"]["signature"] if self.version == 1 else self.value["signature"]
        return sig[1]

    @property
    def binding(self) -> tuple | None:
        if self.version == 1:
            return None
        st = self.value["statement"]
        return (st["suite"], st["ledger"], st["counter"])

    @property
    def case_prev(self) -> int | None:
        return self.value.get("case_prev")

    def message(self) -> bytes:
        """The signed message (6.2, 6.4), taken as the slice of the entry bytes."""
        return LABELS[self.version][1] + self.statement_slice


def encode_entry(version: int, value: dict) -> bytes:
    return LABEL_ENTRY + encode(ENTRY, value) if version == 1 else LABEL_ENTRY_V2 + encode(ENTRY_V2, value)


def decode_entry(b: bytes) -> DecodedEntry:
    """FORMAT.md 4.2 strict decoding of entry bytes of v1 or v2 (by label). Raises DecodeError."""
    if len(b) > MAX_ENTRY_BYTES:
        raise DecodeError(f"entry of {len(b)} bytes exceeds {MAX_ENTRY_BYTES}")
    if b.startswith(LABEL_ENTRY):
        version = 1
    elif b.startswith(LABEL_ENTRY_V2):
        version = 2
    else:
        raise DecodeError("wrong label")
    r = Reader(b, len(LABEL_ENTRY))  # both entry labels are 16 bytes
    value = {}
    value["seq"] = decode("u64", r)
    value["prev"] = decode(DIGEST, r)
    value["logged_at"] = decode(TIMESTAMP, r)
    if version == 2:
        value["case_prev"] = decode(option("u64"), r)
    st_start = r.pos
    statement = decode(LABELS[version][2], r)
    st_end = r.pos
    signature = decode(SIGNATURE, r)
    if version == 1:
        value["statement"] = {"statement": statement, "signature": signature}
    else:
        value["statement"] = statement
        value["signature"] = signature
    if r.pos != len(b):
        raise DecodeError(f"{len(b) - r.pos} trailing bytes")
    if encode_entry(version, value) != b:
        raise DecodeError("non-canonical: does not re-encode identically")
    return DecodedEntry(version, value, b[st_start:st_end])


def statement_message(statement: dict, version: int = 1) -> bytes:
    return LABELS[version][1] + encode(LABELS[version][2], statement)


# ---------------------------------------------------------------------------------------------
# Merkle tree (FORMAT.md section 7)
# ---------------------------------------------------------------------------------------------


def leaf_hash(entry_bytes: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry_bytes).digest()


def mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


# ---------------------------------------------------------------------------------------------
# Signed notes, checkpoints, vkeys (FORMAT.md section 12)
# ---------------------------------------------------------------------------------------------

MAX_NOTE_BYTES = 1 << 20
MAX_SIGNATURES = 100
MAX_KEY_NAME_BYTES = 255
MAX_SIGNATURE_BYTES = 5000
SIG_PREFIX = "\u2014 "
WHITE_SPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {
    chr(c) for c in range(0x2000, 0x200B)
}
TYPE_ED25519 = 0x01
TYPE_COSIGNATURE_V1 = 0x04


class NoteError(Exception):
    pass


def valid_key_name(name: str) -> bool:
    return (
        0 < len(name.encode("utf-8")) <= MAX_KEY_NAME_BYTES
        and not any(c == "+" or c in WHITE_SPACE or c < " " for c in name)
    )


def b64_canonical(s: str) -> bytes | None:
    try:
        raw = base64.b64decode(s.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None
    return raw if base64.b64encode(raw).decode("ascii") == s else None


def key_id(name: str, type_and_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + type_and_key).digest()[:4]


class Vkey:
    def __init__(self, name: str, kid: bytes, sig_type: int, key: bytes) -> None:
        self.name, self.key_id, self.type, self.key = name, kid, sig_type, key

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([self.type]) + self.key).decode()}"

    @staticmethod
    def for_key(name: str, key: bytes, sig_type: int = TYPE_ED25519) -> "Vkey":
        if not valid_key_name(name) or not valid_public_key(key):
            raise NoteError("invalid name or key")
        return Vkey(name, key_id(name, bytes([sig_type]) + key), sig_type, key)

    @staticmethod
    def parse(text: str) -> "Vkey":
        parts = text.split("+", 2)
        if len(parts) != 3:
            raise NoteError("vkey: not three fields")
        name, h, b64 = parts
        if not valid_key_name(name):
            raise NoteError("vkey: invalid key name")
        if len(h) != 8 or any(c not in "0123456789abcdef" for c in h):
            raise NoteError("vkey: key id is not 8 lower-case hex digits")
        if len(b64) > 2048:
            raise NoteError("vkey: base64 too long")
        data = b64_canonical(b64)
        if data is None:
            raise NoteError("vkey: base64 not canonical")
        if key_id(name, data) != bytes.fromhex(h):
            raise NoteError("vkey: key id does not match")
        if not data or data[0] not in (TYPE_ED25519, TYPE_COSIGNATURE_V1):
            raise NoteError("vkey: unsupported signature type")
        if len(data) != 33 or not valid_public_key(data[1:]):
            raise NoteError("vkey: not a valid 32-byte key")
        return Vkey(name, bytes.fromhex(h), data[0], data[1:])


class Note:
    def __init__(self, text: str, sigs: list[tuple[str, bytes, bytes]]) -> None:
        self.text = text
        self.sigs = sigs  # (name, key id, signature bytes)

    def serialize(self) -> str:
        lines = "".join(
            f"{SIG_PREFIX}{n} {base64.b64encode(k + s).decode()}\n" for n, k, s in self.sigs
        )
        return self.text + "\n" + lines

    @staticmethod
    def parse(raw: bytes) -> "Note":
        if len(raw) > MAX_NOTE_BYTES:
            raise NoteError("note too large")
        try:
            s = raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            raise NoteError("note is not UTF-8") from None
        if any(b < 0x20 and b != 0x0A for b in raw):
            raise NoteError("control character")
        split = s.rfind("\n\n")
        if split < 0:
            raise NoteError("no blank line separator")
        text, block = s[: split + 1], s[split + 2 :]
        if not block:
            raise NoteError("no signature lines")
        if not block.endswith("\n"):
            raise NoteError("last signature line not terminated")
        sigs: list[tuple[str, bytes, bytes]] = []
        for line in block[:-1].split("\n"):
            if len(sigs) == MAX_SIGNATURES:
                raise NoteError("too many signatures")
            if not line.startswith(SIG_PREFIX) or " " not in line[len(SIG_PREFIX) :]:
                raise NoteError("malformed signature line")
            name, b64 = line[len(SIG_PREFIX) :].split(" ", 1)
            if not valid_key_name(name):
                raise NoteError("invalid key name")
            if len(b64) > 4 * -(-(4 + MAX_SIGNATURE_BYTES) // 3):
                raise NoteError("signature too long")
            data = b64_canonical(b64)
            if data is None:
                raise NoteError("signature base64 not canonical")
            if len(data) < 5 or len(data) > 4 + MAX_SIGNATURE_BYTES:
                raise NoteError("signature length out of bounds")
            if any(n == name and k == data[:4] for n, k, _ in sigs):
                raise NoteError("duplicate (name, key id)")
            sigs.append((name, data[:4], data[4:]))
        return Note(text, sigs)

    def verify(self, vkey: Vkey) -> None:
        if vkey.type != TYPE_ED25519:
            raise NoteError("not an Ed25519 note key")
        for name, kid, sig in self.sigs:
            if name == vkey.name and kid == vkey.key_id:
                if len(sig) != 64 or not ed25519_verify(vkey.key, self.text.encode("utf-8"), sig):
                    raise NoteError("note signature does not verify")
                return
        raise NoteError("no signature by the key")


class Checkpoint:
    def __init__(self, origin: str, size: int, root: bytes, extensions: list[str], note: Note) -> None:
        self.origin, self.size, self.root, self.extensions, self.note = origin, size, root, extensions, note

    @staticmethod
    def parse(raw: bytes) -> "Checkpoint":
        note = Note.parse(raw)
        text = note.text
        if not text.endswith("\n"):
            raise NoteError("body not terminated")
        lines = text[:-1].split("\n")
        if any(line == "" for line in lines):
            raise NoteError("empty body line")
        if len(lines) < 3:
            raise NoteError("fewer than three body lines")
        origin, size_s, root_s = lines[0], lines[1], lines[2]
        if not size_s or not all("0" <= c <= "9" for c in size_s) or (size_s != "0" and size_s[0] == "0"):
            raise NoteError("invalid tree size")
        size = int(size_s)
        if size > 2**64 - 1:
            raise NoteError("tree size exceeds u64")
        root = b64_canonical(root_s)
        if root is None or len(root) != 32:
            raise NoteError("invalid root")
        return Checkpoint(origin, size, root, lines[3:], note)

    def verify(self, vkey: Vkey) -> None:
        if vkey.name != self.origin:
            raise NoteError("origin is not the key name")
        self.note.verify(vkey)


def verify_cosignature(cp: Checkpoint, witness: Vkey) -> int:
    """FORMAT.md 12.6: returns the cosignature's timestamp, or raises NoteError."""
    if witness.type != TYPE_COSIGNATURE_V1:
        raise NoteError("not a cosignature/v1 key")
    for name, kid, sig in cp.note.sigs:
        if name == witness.name and kid == witness.key_id:
            if len(sig) != 72:
                raise NoteError("cosignature is not 72 bytes")
            ts = int.from_bytes(sig[:8], "big")
            if ts > I64_MAX:
                raise NoteError("cosignature timestamp above 2^63 - 1")
            msg = f"cosignature/v1\ntime {ts}\n".encode() + cp.note.text.encode("utf-8")
            if not ed25519_verify(witness.key, msg, sig[8:]):
                raise NoteError("cosignature does not verify")
            return ts
    raise NoteError("no cosignature by the witness")


# ---------------------------------------------------------------------------------------------
# The admission rule (FORMAT.md section 10): registry, roles, time, binding, sessions, cases, holds
# ---------------------------------------------------------------------------------------------

UNVERIFIED_KINDS = {"Unsealed", "NoCheckpoint", "NoTrustAnchor", "ReadError"}
MAX_FUTURE_SKEW_MS = 5 * 60 * 1000
I64_MAX = 2**63 - 1
I64_MIN = -(2**63)

# 10.1: which roles may make which event (registry changes: System only, rule 5).
ALL_ROLES = {"Officer", "Device", "Station", "System", "Auditor", "Custodian"}
ROLES_FOR: dict[str, set[str]] = {}
for _events, _roles in (
    (("CaseOpened", "CaseClosed", "DecisionMade", "DocumentFiled", "DocumentDescribed", "RecordingExempted"),
     {"Officer", "System"}),
    (("PreservationOrdered", "PreservationReleased", "AccessRequested", "AccessDecided"), {"Officer", "System", "Auditor"}),
    (("PartyNotified",), {"Device", "Station", "Officer"}),
    (("RecordingStarted", "SegmentSealed", "RecordingStopped"), {"Device", "Station"}),
    (("RecordingInterrupted",), {"Device", "Station", "Officer"}),
    (("Archived",), {"Officer", "Custodian", "Station", "Device", "System"}),
    (("Handover", "RetentionSet", "DerivativeMade", "MediaPurged", "Erased", "ConfidentialityMarked"),
     {"Officer", "Custodian", "System"}),
    (("CircumstanceReported",), {"Officer", "Custodian", "Auditor", "System"}),
    (("RecordViewed", "RecordDisclosed"), ALL_ROLES),
    (("Genesis", "KeyAuthorized", "KeyRevoked"), {"System"}),
):
    for _e in _events:
        ROLES_FOR[_e] = _roles
assert set(ROLES_FOR) == {n for n, _ in EVENT[2]}, "10.1 names every event"

# 13.1 step 8: how each refusal is reported.
REGISTRY_ERRORS = {"BadGenesis", "GenesisMisplaced", "NoGenesis", "UnknownKey", "RevokedKey", "NotPermitted",
                   "StateSecret", "AlreadyRegistered", "InvalidKey", "LedgerKeyRevoked", "NotActive"}
REPORTED_AS = {"Future": "FutureStatement", "BeforeGenesis": "StatementBeforeGenesis",
               "WrongDevice": "SegmentWrongDevice", "PurgeUnlawful": "MediaPurgeUnlawful"}


def finding_of(refusal: str) -> str:
    if refusal in REGISTRY_ERRORS:
        return "Unauthorized"
    return REPORTED_AS.get(refusal, refusal)


def sat_add(a: int, b: int) -> int:
    return max(I64_MIN, min(I64_MAX, a + b))


def named_case(ev_name: str, ev: dict) -> str | None:
    """The case an event names (10.7 first clause; 20.7's Event::case_no)."""
    if ev_name == "Archived":
        return ev["labels"]["case_no"]
    if "case_no" in ev:
        return ev["case_no"]
    return None


class Admission:
    """The state of FORMAT.md 10 built from entries 0 .. seq-1, with check() and apply()."""

    def __init__(self, skew: int = MAX_FUTURE_SKEW_MS) -> None:
        self.skew = skew
        self.genesis: dict | None = None
        self.keys: dict[tuple, dict] = {}  # PublicKey value -> {role, holder, authorized_at, revoked_at}
        self.version: int | None = None  # version of entry 0 (the ledger's)
        self.ledger_id: bytes | None = None
        self.genesis_time: int | None = None
        self.counters: dict[tuple, int] = {}  # author -> last counter admitted (10.3)
        self.sessions: dict[str, dict] = {}  # 10.4
        self.open_cases: set[str] = set()  # 10.5
        self.case_latest: dict[str, int] = {}  # 10.7
        self.requests: dict[str, str | None] = {}  # request id -> case of its first AccessRequested
        # 10.6 custody: media digest -> cases referencing it; per case: retention, hold.
        self.media_cases: dict[bytes, set[str]] = {}
        self.retention: dict[str, int | None] = {}  # case -> longest Until (None: Permanent)
        self.held: set[str] = set()
        self.filed: dict[bytes, set[str]] = {}  # 10.9: document digest -> cases that filed it

    def note_entry0(self, version: int | None, leaf: bytes, logged_at: int | None) -> None:
        """After entry 0 whatever its outcome: the ledger's version, id and genesis time."""
        self.version, self.ledger_id, self.genesis_time = version, leaf, logged_at

    # -- 10.7 --------------------------------------------------------------------------------
    def case_of(self, ev_name: str, ev: dict) -> str | None:
        c = named_case(ev_name, ev)
        if c is not None:
            return c
        if ev_name in ("SegmentSealed", "RecordingInterrupted", "RecordingStopped"):
            s = self.sessions.get(ev["session"])
            return s["case"] if s else None
        if ev_name == "AccessDecided":
            return self.requests.get(ev["request"])
        if ev_name in ("RecordViewed", "ConfidentialityMarked"):
            kind, x = ev["subject"]
            if kind == "Case":
                return x
            if kind == "Session":
                s = self.sessions.get(x)
                return s["case"] if s else None
        return None

    def expected_case_prev(self, st: dict) -> int | None:
        if self.version != 2:
            return None  # "In v1 case_prev is always none"
        c = self.case_of(*st["event"])
        return None if c is None else self.case_latest.get(c)

    # -- the rule ----------------------------------------------------------------------------
    def check(self, seq_: int, st: dict, binding: tuple | None, logged_at: int) -> str | None:
        """The refusal name of the first rule that fails, or None if admissible. No effect."""
        author = st["author"]
        ev_name, ev = st["event"]
        if seq_ == 0:
            if not (ev_name == "Genesis" and ev["ledger_key"] == author and valid_public_key(ev["ledger_key"][1])
                    and valid_key_name(ev["origin"])):
                return "BadGenesis"
            if st["time"] > sat_add(logged_at, self.skew):
                return "Future"
            if binding is not None and (binding[0] != ev["suite"] or binding[1] != bytes(32)):
                return "WrongLedger"
            return None
        # Registry, rules 1-8.
        if ev_name == "Genesis":
            return "GenesisMisplaced"
        if self.genesis is None:
            return "NoGenesis"
        rec = self.keys.get(author)
        if rec is None:
            return "UnknownKey"
        if rec["revoked_at"] is not None:
            return "RevokedKey"
        if ev_name == "ConfidentialityMarked" and ev["level"][0] == "StateSecret":
            return "StateSecret"
        if ev_name in REGISTRY_CHANGES and rec["role"] != "System":
            return "NotPermitted"
        if ev_name == "KeyAuthorized":
            if ev["key"] in self.keys:
                return "AlreadyRegistered"
            if not valid_public_key(ev["key"][1]):
                return "InvalidKey"
        elif ev_name == "KeyRevoked":
            if ev["key"] == self.genesis["ledger_key"]:
                return "LedgerKeyRevoked"
            r = self.keys.get(ev["key"])
            if r is None or r["revoked_at"] is not None:
                return "NotActive"
        # 9. Roles (10.1).
        if rec["role"] not in ROLES_FOR[ev_name]:
            return "NotPermitted"
        # 10. Time (10.2).
        if st["time"] > sat_add(logged_at, self.skew):
            return "Future"
        if st["time"] < sat_add(self.genesis_time, -self.skew):
            return "BeforeGenesis"
        # 11. Binding (10.3).
        if self.version == 1:
            if binding is not None:
                return "WrongLedger"
        else:
            if binding is None:
                return "WrongLedger"
            suite, ledger, counter = binding
            if suite != self.genesis["suite"] or ledger != self.ledger_id:
                return "WrongLedger"
            last = self.counters.get(author)
            if last is not None and counter <= last:
                return "Replay"
        # 12. Recording sessions (10.4).
        if ev_name == "RecordingStarted":
            if ev["session"] in self.sessions:
                return "SessionInUse"
            if author != ev["device"]:
                return "WrongDevice"
        elif ev_name in ("SegmentSealed", "RecordingInterrupted", "RecordingStopped"):
            s = self.sessions.get(ev["session"])
            if s is None:
                return "SegmentOrphan"
            if ev_name == "RecordingInterrupted":
                if author != s["device"] and rec["role"] != "Officer":
                    return "WrongDevice"
            else:
                if s["stopped"]:
                    return "SegmentAfterStop"
                if author != s["device"]:
                    return "WrongDevice"
                if ev_name == "SegmentSealed":
                    if ev["index"] < s["n"]:
                        return "SegmentDuplicate"
                    if ev["index"] > s["n"]:
                        return "SegmentMissing"
                    if ev["prev_segment"] != s["last"]:
                        return "SegmentChainBroken"
                elif ev["segments"] != s["n"] or ev["last_segment"] != s["last"]:
                    return "SegmentCountMismatch"
        # 13. Cases (10.5).
        if ev_name == "CaseOpened" and ev["case_no"] in self.open_cases:
            return "CaseAlreadyOpen"
        # 14. Holds (10.6).
        if ev_name == "MediaPurged":
            for c in self.media_cases.get(ev["media"], ()):
                if c in self.held:
                    return "PurgeUnlawful"
                if c in self.retention:
                    until = self.retention[c]
                    if until is None or logged_at < until:
                        return "PurgeUnlawful"
        # 15. Document descriptions (10.9).
        if ev_name == "DocumentDescribed" and ev["case_no"] not in self.filed.get(ev["document"], set()):
            return "DocumentNotFiled"
        return None

    def apply(self, seq_: int, st: dict, binding: tuple | None, logged_at: int) -> None:
        """The effect of an admitted statement (check() returned None)."""
        author = st["author"]
        ev_name, ev = st["event"]
        case = self.case_of(ev_name, ev) if seq_ > 0 else None
        if seq_ == 0:
            self.genesis = ev
            self.keys[ev["ledger_key"]] = {"role": "System", "holder": None, "authorized_at": 0, "revoked_at": None}
            return  # the genesis nonce is not the ledger key's counter
        if binding is not None:
            self.counters[author] = binding[2]
        if ev_name == "KeyAuthorized":
            self.keys[ev["key"]] = {"role": ev["role"][0], "holder": ev["holder"], "authorized_at": seq_, "revoked_at": None}
        elif ev_name == "KeyRevoked":
            self.keys[ev["key"]]["revoked_at"] = seq_
        elif ev_name == "RecordingStarted":
            self.sessions[ev["session"]] = {"device": ev["device"], "case": ev["case_no"], "n": 0, "last": None, "stopped": False}
        elif ev_name == "SegmentSealed":
            s = self.sessions[ev["session"]]
            s["n"] += 1
            s["last"] = ev["media"]["digest"]
        elif ev_name == "RecordingStopped":
            self.sessions[ev["session"]]["stopped"] = True
        elif ev_name == "CaseOpened":
            self.open_cases.add(ev["case_no"])
        elif ev_name == "CaseClosed":
            self.open_cases.discard(ev["case_no"])
        elif ev_name == "AccessRequested":
            self.requests.setdefault(ev["request"], ev["case_no"])
        elif ev_name == "DocumentFiled":
            self.filed.setdefault(ev["media"]["digest"], set()).add(ev["case_no"])
        # Custody (10.6): which cases reference which media; retention; holds.
        refs: list[bytes] = []
        if ev_name == "DocumentFiled":
            refs = [ev["media"]["digest"]]
        elif ev_name == "DecisionMade":
            refs = [ev["document"]["digest"]] + list(ev["relies_on"])
        elif ev_name == "SegmentSealed":
            refs = [ev["media"]["digest"]]
        elif ev_name == "Archived" and ev["labels"]["transcript"] is not None:
            refs = [ev["labels"]["transcript"]["digest"]]
            case = ev["labels"]["case_no"]
        elif ev_name == "RecordDisclosed":
            refs = list(ev["what"])
        if case is not None:
            for d in refs:
                self.media_cases.setdefault(d, set()).add(case)
        if ev_name == "DerivativeMade":  # a derivative of a case's media is the case's media
            for c in self.media_cases.get(ev["original"], set()).copy():
                self.media_cases.setdefault(ev["derivative"]["digest"], set()).add(c)
        if ev_name in ("CaseClosed", "RetentionSet"):
            r = ev["file_retention"] if ev_name == "CaseClosed" else ev["until"]
            c = ev["case_no"]
            new = None if r[0] == "Permanent" else r[1]
            if c not in self.retention:
                self.retention[c] = new
            elif self.retention[c] is not None:
                self.retention[c] = None if new is None else max(self.retention[c], new)
        elif ev_name == "PreservationOrdered":
            self.held.add(ev["case_no"])
        elif ev_name == "PreservationReleased":
            self.held.discard(ev["case_no"])
        # 10.7: the case's latest entry.
        if case is not None and self.version == 2:
            self.case_latest[case] = seq_


# ---------------------------------------------------------------------------------------------
# The verification algorithm (FORMAT.md section 13)
# ---------------------------------------------------------------------------------------------

class Report:
    def __init__(self) -> None:
        self.findings: list[tuple[str, int | None, int | None, str]] = []
        self.verified_checkpoints: list[int] = []
        self.entries: list[DecodedEntry | None] = []

    def add(self, kind: str, seq_: int | None = None, cp: int | None = None, msg: str = "") -> None:
        self.findings.append((kind, seq_, cp, msg))

    def kinds(self) -> set[str]:
        return {f[0] for f in self.findings}

    def has(self, kind: str, seq_: int | None = None, msg: str | None = None) -> bool:
        return any(
            f[0] == kind and (seq_ is None or f[1] == seq_) and (msg is None or f[3] == msg)
            for f in self.findings
        )

    @property
    def verdict(self) -> str:
        if not self.findings:
            return "verified"
        if any(f[0] not in UNVERIFIED_KINDS for f in self.findings):
            return "tampered"
        return "unverified"


def verify_ledger(
    entries: list[bytes],
    checkpoints: list[str],
    trusted_vkey: Vkey | None,
    trusted_checkpoint: str | None = None,
    now: int | None = None,
    skew: int = MAX_FUTURE_SKEW_MS,
) -> Report:
    rep = Report()
    admission = Admission(skew)
    if now is None:
        now = int(time.time() * 1000)
    prev = bytes(32)
    last_logged_at: int | None = None
    leaves: list[bytes] = []
    pending: dict[int, list[tuple[int, bytes]]] | None = None
    trusted: tuple[int, bytes] | None = None
    latest_verified_size: int | None = None
    future_logged: list[int] = []

    def authenticate() -> tuple[dict[int, list[tuple[int, bytes]]], tuple[int, bytes] | None]:
        genesis_vkey = None
        if admission.genesis is not None:
            try:
                genesis_vkey = Vkey.for_key(admission.genesis["origin"], admission.genesis["ledger_key"][1])
            except NoteError:
                genesis_vkey = None
        key = trusted_vkey if trusted_vkey is not None else genesis_vkey
        if trusted_vkey is not None and genesis_vkey is not None and str(trusted_vkey) != str(genesis_vkey):
            rep.add("WrongLedgerKey", 0, None, f"genesis key {genesis_vkey} is not the trusted {trusted_vkey}")
        pend: dict[int, list[tuple[int, bytes]]] = {}
        roots: dict[int, bytes] = {}
        for i, text in enumerate(checkpoints):
            if key is None:
                rep.add("BadCheckpoint", None, i, "no key")
                continue
            try:
                cp = Checkpoint.parse(text.encode("utf-8"))
                cp.verify(key)
            except NoteError as e:
                rep.add("BadCheckpoint", None, i, str(e))
                continue
            if cp.size in roots and roots[cp.size] != cp.root:
                rep.add("Fork", None, i, f"size {cp.size} signed with two roots")
            roots.setdefault(cp.size, cp.root)
            pend.setdefault(cp.size, []).append((i, cp.root))
        tr = None
        if trusted_checkpoint is not None:
            try:
                if key is None:
                    raise NoteError("no key")
                cp = Checkpoint.parse(trusted_checkpoint.encode("utf-8"))
                cp.verify(key)
                tr = (cp.size, cp.root)
            except NoteError as e:
                rep.add("TrustedCheckpointMismatch", None, None, str(e))
        return pend, tr

    for i, b in enumerate(entries):
        leaf = leaf_hash(b)
        try:
            e = decode_entry(b)
        except DecodeError as err:
            rep.add("Malformed", i, None, str(err))
            e = None
        rep.entries.append(e)
        if e is not None:
            v = e.value
            st = e.statement
            if v["seq"] != i:
                rep.add("Sequence", i, None, f"claims seq {v['seq']}")
            if v["prev"] != prev:
                rep.add("BrokenChain", i)
            sig_ok = ed25519_verify(st["author"][1], e.message(), e.signature)
            if not sig_ok:
                rep.add("BadSignature", i)
            if last_logged_at is not None and v["logged_at"] < last_logged_at:
                rep.add("TimeReversal", i)
            last_logged_at = v["logged_at"] if last_logged_at is None else max(last_logged_at, v["logged_at"])
            if v["logged_at"] > sat_add(now, skew):
                future_logged.append(i)
            if i == 0:
                admission.note_entry0(e.version, leaf, v["logged_at"])
            expected = admission.expected_case_prev(st)
            if e.case_prev != expected:
                rep.add("CaseLinkBroken", i, None, f"case_prev {e.case_prev}, expected {expected}")
            # 13.1 step 8: admitted (with effect) only if the signature was accepted.
            refusal = admission.check(i, st, e.binding, v["logged_at"])
            if refusal is not None:
                rep.add(finding_of(refusal), i, None, refusal)
            elif sig_ok:
                admission.apply(i, st, e.binding, v["logged_at"])
        elif i == 0:
            admission.note_entry0(None, leaf, None)
        prev = leaf
        leaves.append(leaf)
        size = i + 1
        if i == 0:
            pending, trusted = authenticate()
        if pending is not None and size in pending:
            root = mth(leaves)
            for idx, cp_root in pending.pop(size):
                if cp_root == root:
                    rep.verified_checkpoints.append(idx)
                    latest_verified_size = size
                else:
                    rep.add("CheckpointMismatch", None, idx)
        if trusted is not None and trusted[0] == size and mth(leaves) != trusted[1]:
            rep.add("TrustedCheckpointMismatch")

    total = len(entries)
    if total == 0:
        rep.add("EmptyLedger")
        pending, trusted = authenticate()
    for size in sorted(pending or {}):
        for idx, cp_root in pending[size]:
            if size > total:
                rep.add("Truncated", None, idx)
            else:  # only size 0 is left: a ledger always holds its genesis entry
                rep.add("CheckpointMismatch", None, idx)
    if trusted is not None and trusted[0] > total:
        rep.add("Rollback")
    if latest_verified_size is None and total > 0:
        rep.add("NoCheckpoint")
    elif latest_verified_size is not None and latest_verified_size < total:
        rep.add("Unsealed", latest_verified_size)
    if trusted_vkey is None:
        rep.add("NoTrustAnchor")
    covered = latest_verified_size or 0
    for i in future_logged:
        if i >= covered:
            rep.add("LoggedInFuture", i)
    return rep


# ---------------------------------------------------------------------------------------------
# Loading the vectors
# ---------------------------------------------------------------------------------------------


def load(directory: str):
    def read(name: str) -> str:
        with open(os.path.join(directory, name), encoding="utf-8", newline="") as f:
            return f.read()

    entries = []
    for line in read("entries.txt").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        s, lh, hexbytes = line.split(" ")
        entries.append((int(s), bytes.fromhex(lh), bytes.fromhex(hexbytes)))
    roots = []
    for line in read("roots.txt").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        s, r = line.split(" ")
        roots.append((int(s), bytes.fromhex(r)))
    checkpoints = read("checkpoints.txt").split("-----\n")
    # An extension directory (FORMAT.md 15) has no vkey of its own: its ledger's is beside it.
    vkey_text = read("ledger.vkey") if os.path.exists(os.path.join(directory, "ledger.vkey")) else ""
    return entries, roots, checkpoints, vkey_text


# ---------------------------------------------------------------------------------------------
# Checks on the vectors as given
# ---------------------------------------------------------------------------------------------


def walk(t, v, visit):
    """Calls visit(type, value) on every node of a decoded value."""
    visit(t, v)
    if isinstance(t, tuple):
        kind = t[0]
        if kind == "option" and v is not None:
            walk(t[1], v, visit)
        elif kind == "seq":
            for x in v:
                walk(t[1], x, visit)
        elif kind == "struct":
            for name, ft in t[2]:
                walk(ft, v[name], visit)
        elif kind == "enum":
            payload = dict(t[2])[v[0]]
            if isinstance(payload, list):
                for name, ft in payload:
                    walk(ft, v[1][name], visit)
            elif payload is not None:
                walk(payload, v[1], visit)


def check_vectors(entries, roots, checkpoints, vkey_text):
    print(f"entries: {len(entries)}, roots: {len(roots)}, checkpoints: {len(checkpoints)}")

    # Known-answer tests of the primitives this file implements itself.
    T.check(
        ed25519_public(bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")).hex()
        == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "RFC 8032 7.1 test 1: public key",
    )
    T.check(
        ed25519_verify(
            bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
            b"",
            bytes.fromhex(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
            ),
        ),
        "RFC 8032 7.1 test 1: signature verifies",
    )
    T.check(
        blake3_small(b"").hex() == "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
        "BLAKE3 of the empty input",
    )
    T.check(
        hashlib.sha256(b"").hexdigest() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "MTH of the empty tree",
    )

    # Section 6/7: every entry.
    decoded: list[DecodedEntry] = []
    prev = bytes(32)
    variants_seen: set[str] = set()
    admission = Admission()
    counters: dict[tuple, int] = {}
    for pos, (s, lh, b) in enumerate(entries):
        T.check(s == pos, f"entries.txt line {pos} has seq {s}")
        T.check(leaf_hash(b) == lh, f"entry {pos}: leaf hash")
        try:
            e = decode_entry(b)
        except DecodeError as err:
            T.check(False, f"entry {pos}: strict decode: {err}")
            continue
        T.check(True, f"entry {pos}: strict decode (format v{e.version})")
        decoded.append(e)
        v = e.value
        st = e.statement
        T.check(e.version == decoded[0].version, f"entry {pos}: same format version as genesis (v{e.version})")
        T.check(encode_entry(e.version, v) == b, f"entry {pos}: re-encodes identically")
        T.check(v["seq"] == pos, f"entry {pos}: Entry.seq")
        T.check(v["prev"] == prev, f"entry {pos}: prev is the leaf hash of entry {pos - 1}")
        msg = statement_message(st, e.version)
        T.check(msg == e.message(), f"entry {pos}: statement bytes are a slice")
        T.check(b.endswith(e.statement_slice + encode(SIGNATURE, ("Ed25519", e.signature))) and b[-65] == 0,
                f"entry {pos}: the statement is followed by the 65-byte signature at the end")
        T.check(ed25519_verify(st["author"][1], msg, e.signature), f"entry {pos}: signature")
        if pos == 0:
            admission.note_entry0(e.version, lh, v["logged_at"])
        if e.version == 2:
            suite, ledger, counter = e.binding
            if pos == 0:
                T.check(ledger == bytes(32), "genesis: binding ledger is 32 zero bytes")
                print(f"v2 genesis nonce {counter}; ledger id {lh.hex()}")
            else:
                T.check(ledger == leaf_hash(entries[0][2]), f"entry {pos}: binding names the ledger id")
                a_ = st["author"]
                T.check(counter > counters.get(a_, -1), f"entry {pos}: author counter {counter} increases")
                counters[a_] = counter
            T.check(suite == decoded[0].statement["event"][1]["suite"], f"entry {pos}: binding suite = genesis suite")
        expected = admission.expected_case_prev(st)
        T.check(e.case_prev == expected, f"entry {pos}: case_prev {e.case_prev} (expected {expected})")
        err = admission.check(pos, st, e.binding, v["logged_at"])
        T.check(err is None, f"entry {pos}: the admission rule admits it ({err})")
        if err is None:
            admission.apply(pos, st, e.binding, v["logged_at"])
        T.check(st["time"] <= v["logged_at"] + MAX_FUTURE_SKEW_MS, f"entry {pos}: time not in the future")
        if pos > 0:
            T.check(v["logged_at"] >= decoded[-2].value["logged_at"], f"entry {pos}: logged_at non-decreasing")
        variants_seen.add(st["event"][0])
        prev = lh
    if decoded and decoded[0].version == 2:
        links = sum(1 for e in decoded if e.case_prev is not None)
        print(f"v2: {links} entries carry a case back-link; {len(counters)} authors with counters")
    all_variants = [n for n, _ in EVENT[2]]
    T.check(set(all_variants) == variants_seen, f"every Event variant appears (missing {set(all_variants) - variants_seen})")
    print(f"decoded {len(decoded)} entries; {len(variants_seen)} of {len(all_variants)} Event variants")

    # Section 7: roots for every size.
    leaves = [lh for _, lh, _ in entries]
    T.check([s for s, _ in roots] == list(range(1, len(entries) + 1)), "roots.txt lists every size")
    for size, root in roots:
        T.check(mth(leaves[:size]) == root, f"root of size {size}")

    # Section 12: vkey and checkpoints.
    genesis = decoded[0].statement["event"][1]
    try:
        vkey = Vkey.parse(vkey_text.rstrip("\n"))
        T.check(True, "ledger.vkey parses strictly (key id matches)")
    except NoteError as err:
        T.check(False, f"ledger.vkey: {err}")
        return decoded, None
    T.check(vkey_text.endswith("\n") and "\n" not in vkey_text[:-1], "ledger.vkey is one line")
    T.check(vkey.type == TYPE_ED25519, "vkey type is 0x01")
    T.check(vkey.name == genesis["origin"], "vkey name = genesis origin")
    T.check(vkey.key == genesis["ledger_key"][1], "vkey key = genesis ledger key")
    T.check(str(vkey) == vkey_text.rstrip("\n"), "vkey re-serializes identically")
    for i, text in enumerate(checkpoints):
        try:
            cp = Checkpoint.parse(text.encode("utf-8"))
        except NoteError as err:
            T.check(False, f"checkpoint {i}: parse: {err}")
            continue
        T.check(True, f"checkpoint {i}: strict parse")
        T.check(cp.note.serialize() == text, f"checkpoint {i}: re-serializes identically")
        T.check(cp.origin == genesis["origin"], f"checkpoint {i}: origin = genesis origin")
        T.check(cp.extensions == [], f"checkpoint {i}: no extension lines")
        T.check(len(cp.note.sigs) == 1 and cp.note.sigs[0][0] == cp.origin, f"checkpoint {i}: one signature, key name = origin")
        T.check(cp.note.sigs[0][1] == vkey.key_id, f"checkpoint {i}: key id of the signature line")
        try:
            cp.verify(vkey)
            T.check(True, f"checkpoint {i}: note signature verifies under ledger.vkey")
        except NoteError as err:
            T.check(False, f"checkpoint {i}: {err}")
        T.check(1 <= cp.size <= len(entries) and mth(leaves[: cp.size]) == cp.root, f"checkpoint {i}: root matches entries 0..{cp.size - 1}")
        print(f"checkpoint {i}: size {cp.size}, root {cp.root.hex()[:16]}…, key id {cp.note.sigs[0][1].hex()}")

    # Section 13 end to end.
    raw = [b for _, _, b in entries]
    rep = verify_ledger(raw, checkpoints, vkey)
    T.check(rep.verdict == "verified" and not rep.findings, f"verification with trusted key: verified (findings {rep.findings})")
    T.check(len(rep.verified_checkpoints) == len(checkpoints), "every checkpoint verified against the entries")
    rep = verify_ledger(raw, checkpoints, None)
    T.check(rep.verdict == "unverified" and rep.kinds() == {"NoTrustAnchor"}, "without a trusted key: only NoTrustAnchor")
    return decoded, vkey


def check_cosigned(d: str, checkpoints: list[str], vkey: Vkey) -> None:
    """cosigned-checkpoint.txt and witness.vkey, if present (FORMAT.md 12.6)."""
    path, wpath = os.path.join(d, "cosigned-checkpoint.txt"), os.path.join(d, "witness.vkey")
    if not (os.path.exists(path) and os.path.exists(wpath)):
        return
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    with open(wpath, encoding="utf-8", newline="") as f:
        wtext = f.read()
    try:
        witness = Vkey.parse(wtext.rstrip("\n"))
        cp = Checkpoint.parse(text.encode("utf-8"))
        cp.verify(vkey)
        T.check(True, "cosigned checkpoint: parses and verifies under ledger.vkey")
        T.check(cp.note.serialize() == text, "cosigned checkpoint: re-serializes identically")
        T.check(text.startswith(checkpoints[-1].split("\n\n")[0] + "\n\n"), "cosigned checkpoint: same body as the last stored checkpoint")
        ts = verify_cosignature(cp, witness)
        T.check(True, f"cosignature of {witness.name} verifies (time {ts})")
        body = cp.note.text
        forged = Checkpoint.parse(Note(body, [
            (nm, k, (sg[:7] + bytes([sg[7] ^ 1]) + sg[8:]) if nm == witness.name else sg) for nm, k, sg in cp.note.sigs]).serialize().encode())
        try:
            verify_cosignature(forged, witness)
            T.check(False, "cosignature with an edited timestamp accepted")
        except NoteError:
            T.check(True, "cosignature with an edited timestamp refused")
        try:
            verify_cosignature(cp, Vkey.for_key(witness.name, vkey.key, TYPE_COSIGNATURE_V1))
            T.check(False, "cosignature accepted under another witness key")
        except NoteError:
            T.check(True, "cosignature refused under another witness key")
    except NoteError as err:
        T.check(False, f"cosigned checkpoint: {err}")


GOLDEN_SEEDS = {"ledger": bytes([0x11]) * 32, "officer": bytes([0x22]) * 32, "device": bytes([0x33]) * 32}
OUTSIDER_SEED = bytes([0x44]) * 32


def check_fixture(decoded: list[DecodedEntry]) -> bool:
    """Facts of tests/common/mod.rs::golden_ledger() (keys, media, openings), where they apply."""
    pubs = {k: ed25519_public(s) for k, s in GOLDEN_SEEDS.items()}
    genesis = decoded[0].statement["event"][1]
    if genesis["ledger_key"] != ("Ed25519", pubs["ledger"]):
        print("fixture checks skipped: not the golden ledger")
        return False
    T.check(True, "ledger key is the public key of seed 11x32")
    T.check(decoded[1].statement["event"][1]["key"] == ("Ed25519", pubs["officer"]), "entry 1 authorizes seed 22x32")
    T.check(decoded[2].statement["event"][1]["key"] == ("Ed25519", pubs["device"]), "entry 2 authorizes seed 33x32")
    # Media references: fixture media bytes are "generated media: <name>".
    media: list[dict] = []

    def visit(t, v):
        if t is MEDIA_REF:
            media.append(v)

    for e in decoded:
        walk(EVENT, e.statement["event"], visit)
    for m in media:
        content = f"generated media: {m['name']}".encode()
        T.check(m["digest"] == blake3_small(content) and m["length"] == len(content), f"MediaRef {m['name']}: BLAKE3 digest and length")
    # Sealed commitments (FORMAT.md 11.2).
    def sealed(field: str, value: str, salt: bytes) -> bytes:
        return blake3_small(LABEL_SEALED + salt + encode(STR, field) + encode(STR, value))

    by_name = {e.statement["event"][0]: e.statement["event"][1] for e in decoded}
    party = sealed("party.name", "大连某某社会组织", bytes([1]) * 32)
    requester = sealed("requester.name", "张三", bytes([2]) * 32)
    T.check(by_name["CaseOpened"]["subject"] == party, "CaseOpened.subject opens to party.name")
    T.check(by_name["RecordingStarted"]["party"] == party, "RecordingStarted.party opens to party.name")
    T.check(by_name["AccessRequested"]["requester"] == requester, "AccessRequested.requester opens to requester.name")
    T.check(by_name["Erased"]["commitment"] == requester, "Erased.commitment is the requester's")
    print(f"fixture: {len(media)} media references and 4 commitments re-derived with BLAKE3; sealed(party.name) = {party.hex()}")
    return True


# ---------------------------------------------------------------------------------------------
# Negative self-checks
# ---------------------------------------------------------------------------------------------


def expect(rep: Report, what: str, verdict: str = "tampered", kinds: tuple = (), seq_: int | None = None,
           registry_error: str | None = None) -> None:
    ok = rep.verdict == verdict and all(rep.has(k, seq_) for k in kinds)
    if registry_error is not None:
        ok = ok and rep.has("Unauthorized", seq_, registry_error)
    T.check(ok, f"{what}: expected {verdict} with {list(kinds)} {registry_error or ''}, got {rep.verdict} {rep.findings[:6]}")


def build_entry(seq_: int, prev: bytes, logged_at: int, statement: dict, seed: bytes | None,
                version: int = 1, case_prev: int | None = None, signature: bytes | None = None) -> bytes:
    """Entry bytes of either version; signs with seed, or carries `signature` unchanged (no key)."""
    sig = ed25519_sign(seed, statement_message(statement, version)) if seed is not None else signature
    if version == 1:
        st = {"time": statement["time"], "author": statement["author"], "event": statement["event"]}
        value = {"seq": seq_, "prev": prev, "logged_at": logged_at,
                 "statement": {"statement": st, "signature": ("Ed25519", sig)}}
    else:
        value = {"seq": seq_, "prev": prev, "logged_at": logged_at, "case_prev": case_prev,
                 "statement": statement, "signature": ("Ed25519", sig)}
    return encode_entry(version, value)


def offsets(e: DecodedEntry, b: bytes) -> dict[str, int]:
    """Byte offsets of fields in entry bytes b (FORMAT.md 6.3, 6.4), computed from the layout."""
    st_start = len(b) - 65 - len(e.statement_slice)
    at = st_start
    if e.version == 2:
        at += 1 + 32 + len(enc_varint(e.statement["counter"]))
    at += len(encode(TIMESTAMP, e.statement["time"]))
    out = {"statement": st_start, "author_tag": at, "event": at + 33}
    if e.version == 2:
        out["case_prev"] = st_start - len(encode(option("u64"), e.case_prev))
    return out


def reentry(e: DecodedEntry, seq_: int, prev: bytes, logged_at: int, case_prev: int | None = None, version: int | None = None) -> bytes:
    """The entry's signed statement placed anew: seq, prev, logged_at (and case_prev) are the
    ledger's, unsigned; the author's signature is carried over unchanged. Needs no key."""
    st = dict(e.statement)
    return build_entry(seq_, prev, logged_at, st, None, e.version if version is None else version,
                       case_prev, signature=e.signature)


def admission_after(decoded: list[DecodedEntry], leaf0: bytes) -> Admission:
    st8 = Admission()
    for i, e in enumerate(decoded):
        if i == 0:
            st8.note_entry0(e.version, leaf0, e.value["logged_at"])
        if st8.check(i, e.statement, e.binding, e.value["logged_at"]) is None:
            st8.apply(i, e.statement, e.binding, e.value["logged_at"])
    return st8


def binding_checks(raw: list[bytes], checkpoints: list[str], vkey: Vkey, decoded: list[DecodedEntry],
                   other: list[DecodedEntry] | None) -> None:
    """Keyless mutations of the binding (FORMAT.md 6.4, 10.3, 10.7): nothing is re-signed."""
    n = len(raw)
    ver = decoded[0].version
    state = admission_after(decoded, leaf_hash(raw[0]))
    last_at = decoded[-1].value["logged_at"]
    tail = leaf_hash(raw[-1])
    replays_admitted = 0
    for i in range(1, n):
        e = decoded[i]
        st = e.statement
        cp = state.expected_case_prev(st) if ver == 2 else None
        extra = reentry(e, n, tail, last_at, cp)
        rep = verify_ledger(raw + [extra], checkpoints, vkey)
        name = st["event"][0]
        T.check(not rep.has("BadSignature") and not rep.has("CaseLinkBroken"),
                f"replay of entry {i} ({name}): built without a key, the signature still verifies")
        active = state.keys[st["author"]]["revoked_at"] is None
        if ver == 2:
            if name in REGISTRY_CHANGES:
                expect(rep, f"v2: replay of entry {i} ({name})", kinds=("Unauthorized",), seq_=n)
            elif not active:
                expect(rep, f"v2: replay of entry {i} ({name}) by a revoked key", kinds=("Unauthorized",), seq_=n, registry_error="RevokedKey")
            else:
                expect(rep, f"v2: replay of entry {i} ({name}) at the end", kinds=("Replay",), seq_=n)
        elif rep.verdict == "unverified":
            replays_admitted += 1
    if ver == 1:
        T.check(replays_admitted > 0, f"v1 cannot tell a replay (FORMAT.md 10.3): {replays_admitted} replayed statements admitted")
        print(f"v1: {replays_admitted} of {n - 1} replayed statements are admitted (the v1 limitation)")
    if ver == 2:
        # Replay in the middle: entry 4's statement again right after entry 5 (both sealed before).
        mid = [raw[0]]
        for i, e in enumerate(decoded[1:6] + [decoded[4]] + decoded[6:8], start=1):
            d = decode_entry(mid[-1])
            mid.append(reentry(e, i, leaf_hash(mid[-1]), max(e.value["logged_at"], d.value["logged_at"]),
                               admission_after([decode_entry(x) for x in mid], leaf_hash(raw[0])).expected_case_prev(e.statement)))
        rep = verify_ledger(mid, [], vkey)
        expect(rep, "v2: entry 4's statement replayed between entries 5 and 6", kinds=("Replay",), seq_=6)
        # A copy whose genesis differs only in its unsigned logged_at: another ledger id.
        g = decoded[0]
        moved = [reentry(g, 0, bytes(32), g.value["logged_at"] + 1, None)]
        for i in range(1, n):
            moved.append(reentry(decoded[i], i, leaf_hash(moved[-1]), decoded[i].value["logged_at"], decoded[i].case_prev))
        rep = verify_ledger(moved, [], vkey)
        lk = g.statement["author"]
        # A refused entry has no effect (FORMAT.md 10): the authorizations are WrongLedger, so
        # the other authors' statements are refused earlier, as UnknownKey (rule 3 before 11).
        T.check(rep.verdict == "tampered" and not rep.has("BadSignature") and not rep.has("Unauthorized", 0)
                and rep.has("WrongLedger", 1) and rep.has("WrongLedger", 2)
                and all(rep.has("WrongLedger", i) or rep.has("Unauthorized", i) for i in range(1, n)),
                f"v2: every statement moved into a copy with another genesis (logged_at + 1 ms) is refused: WrongLedger, or a registry refusal (rules 3, 7) for what the refused authorizations would have allowed ({rep.findings[:3]})")
        two = moved[:1] + [reentry(decoded[1], 1, leaf_hash(moved[0]), decoded[1].value["logged_at"], None)]
        expect(verify_ledger(two, [], vkey), "v2: one statement moved to another ledger", kinds=("WrongLedger",), seq_=1)
        if lk == ("Ed25519", ed25519_public(GOLDEN_SEEDS["ledger"])):
            # Another ledger, properly made with the same key, origin and clock but another nonce,
            # authorizing the same officer: the officer's statement moved there is WrongLedger.
            sd = GOLDEN_SEEDS["ledger"]
            g2 = dict(g.statement, counter=g.binding[2] + 1)
            b0 = build_entry(0, bytes(32), g.value["logged_at"], g2, sd, 2)
            id2 = leaf_hash(b0)
            a1 = dict(decoded[1].statement, ledger=id2)
            b1 = build_entry(1, id2, decoded[1].value["logged_at"], a1, sd, 2)
            e3 = decoded[3]
            b2 = reentry(e3, 2, leaf_hash(b1), e3.value["logged_at"], None)
            rep = verify_ledger([b0, b1, b2], [], vkey)
            T.check(id2 != leaf_hash(raw[0]), "v2: same key, origin and clock, another nonce: another ledger id")
            expect(rep, "v2: the officer's CaseOpened moved to another ledger of the same key and origin", verdict="tampered", kinds=("WrongLedger",), seq_=2)
            T.check(rep.kinds() == {"WrongLedger", "NoCheckpoint"}, f"v2: ... and nothing else is wrong there ({rep.findings})")
        # case_prev changed (unsigned): CaseLinkBroken, with the signature intact.
        changed = 0
        for i in range(1, n):
            e = decoded[i]
            for new in ((None, 0) if e.case_prev is None else (None, e.case_prev - 1 if e.case_prev > 0 else 1, i)):
                if new == e.case_prev:
                    continue
                bad = reentry(e, i, e.value["prev"], e.value["logged_at"], new)
                rep = verify_ledger(raw[:i] + [bad] + raw[i + 1:], checkpoints, vkey)
                expect(rep, f"v2: entry {i} case_prev {e.case_prev} -> {new}", kinds=("CaseLinkBroken",), seq_=i)
                T.check(not rep.has("BadSignature", i), f"v2: entry {i} case_prev changed: the signature still verifies")
                changed += 1
        print(f"v2: {changed} case_prev mutations, all CaseLinkBroken")
        # An entry of the case deleted: the next entry of the case no longer links back.
        k = next(i for i in range(2, n - 1) if decoded[i + 1].case_prev == i)
        rep = verify_ledger(raw[:k] + raw[k + 1:], checkpoints, vkey)
        expect(rep, f"v2: entry {k} of the case deleted", kinds=("CaseLinkBroken", "Sequence", "BrokenChain"), seq_=k)
        # The same deletion, re-chained with seq, prev and case_prev fixed up (all unsigned):
        # case_prev does not protect a whole ledger; the checkpoints do (FORMAT.md 6.4).
        kept = decoded[:k] + decoded[k + 1:]
        fixed = [raw[0]]
        st8 = Admission()
        st8.note_entry0(2, leaf_hash(raw[0]), decoded[0].value["logged_at"])
        st8.apply(0, decoded[0].statement, decoded[0].binding, decoded[0].value["logged_at"])
        for i, e in enumerate(kept[1:], start=1):
            cp = st8.expected_case_prev(e.statement)
            fixed.append(reentry(e, i, leaf_hash(fixed[-1]), e.value["logged_at"], cp))
            if st8.check(i, e.statement, e.binding, e.value["logged_at"]) is None:
                st8.apply(i, e.statement, e.binding, e.value["logged_at"])
        rep = verify_ledger(fixed, [], vkey)
        T.check(rep.verdict == "unverified" and rep.kinds() == {"NoCheckpoint"},
                f"v2: a re-chained deletion without checkpoints passes the entry checks ({rep.findings[:3]})")
        expect(verify_ledger(fixed, checkpoints, vkey), "v2: a re-chained deletion against the checkpoints", kinds=("CheckpointMismatch",))
    # An entry of the other version inside this ledger (seq, prev, logged_at fixed up, not re-signed).
    if other:
        for j in (3, 21):
            if j >= len(other):
                continue
            o = other[j]
            extra = reentry(o, n, tail, last_at, None)
            rep = verify_ledger(raw + [extra], checkpoints, vkey)
            expect(rep, f"a v{o.version} entry ({o.statement['event'][0]}) appended to a v{ver} ledger", kinds=("WrongLedger",), seq_=n)
            T.check(not rep.has("BadSignature"), f"the v{o.version} entry's own signature verifies")
        o = other[3]
        inplace = raw[:3] + [reentry(o, 3, decoded[3].value["prev"], decoded[3].value["logged_at"], None)]
        rep = verify_ledger(inplace, [], vkey)
        expect(rep, f"v{ver} entry 3 replaced by the v{o.version} entry 3", kinds=("WrongLedger",), seq_=3)


def negative_checks(entries, checkpoints, vkey: Vkey, decoded: list[DecodedEntry], fixture: bool,
                    other: list[DecodedEntry] | None = None) -> int:
    start = T.passed + T.failed
    raw = [b for _, _, b in entries]
    n = len(raw)

    # Every single-byte flip of entry 1 is rejected (FORMAT.md section 16 annotates its bytes).
    for pos in range(len(raw[1])):
        b = bytearray(raw[1])
        b[pos] ^= 0x01
        rep = verify_ledger(raw[:1] + [bytes(b)] + raw[2:], checkpoints, vkey)
        T.check(rep.verdict == "tampered", f"entry 1 byte {pos} flipped: rejected")
    # One flip in each region of every other entry, with the finding section 13 predicts.
    for i in range(n):
        b = raw[i]
        st_len = len(decoded[i].statement_slice)
        st_start = len(b) - 65 - st_len
        for pos, label, kinds in (
            (3, "label", ("Malformed",)),
            (len(LABEL_ENTRY) + (1 if i < 128 else 2) + 5, "prev", ("BrokenChain",)),
            (st_start + st_len - 1, "statement", ("BadSignature",)),
            (len(b) - 40, "signature S", ("BadSignature",)),
        ):
            c = bytearray(b)
            c[pos] ^= 0x20 if label == "statement" else 0x01
            tampered = raw[:i] + [bytes(c)] + raw[i + 1 :]
            rep = verify_ledger(tampered, checkpoints, vkey)
            if label == "statement" and rep.has("Malformed", i):
                kinds = ("Malformed",)  # the flip broke the encoding (e.g. UTF-8) first
            expect(rep, f"entry {i} {label} byte flipped", kinds=kinds, seq_=i)
            if i + 1 < n:
                T.check(rep.has("BrokenChain", i + 1), f"entry {i} {label} flipped: entry {i + 1} no longer chains")

    binding_checks(raw, checkpoints, vkey, decoded, other)

    # Structural edits.
    expect(verify_ledger(raw[:5] + raw[6:], checkpoints, vkey), "entry 5 deleted", kinds=("Sequence", "BrokenChain"), seq_=5)
    expect(verify_ledger(raw[:5] + [raw[6], raw[5]] + raw[7:], checkpoints, vkey), "entries 5 and 6 swapped", kinds=("Sequence",), seq_=5)
    expect(verify_ledger(raw[:20], checkpoints, vkey), "truncated to 20 entries", kinds=("Truncated",))
    expect(verify_ledger(raw + [raw[-1]], checkpoints, vkey), "last entry duplicated", kinds=("Sequence", "BrokenChain"), seq_=n)
    expect(verify_ledger([], checkpoints, vkey), "no entries", kinds=("EmptyLedger", "Truncated"))
    expect(verify_ledger(raw, checkpoints[:-1], vkey), "last checkpoint withheld", verdict="unverified", kinds=("Unsealed",))
    expect(verify_ledger(raw, [], vkey), "no checkpoints", verdict="unverified", kinds=("NoCheckpoint",))

    # Encoding strictness (FORMAT.md 4.2), at offsets computed from entry 1's layout (KeyAuthorized).
    b = raw[1]
    off = offsets(decoded[1], b)
    T.check(decoded[1].statement["event"][0] == "KeyAuthorized" and b[off["event"]] == 1, "entry 1 is KeyAuthorized at the computed offset")
    role_at = off["event"] + 1 + 33
    holder_at = role_at + 1
    expect(verify_ledger(raw[:1] + [b + b"\x00"] + raw[2:], checkpoints, vkey), "trailing byte", kinds=("Malformed",), seq_=1)
    overlong = b[:16] + b"\x81\x00" + b[17:]  # seq 1 as the over-long varint 81 00
    expect(verify_ledger(raw[:1] + [overlong] + raw[2:], checkpoints, vkey), "over-long varint", kinds=("Malformed",), seq_=1)
    unknown = b[: off["event"]] + bytes([len(EVENT[2])]) + b[off["event"] + 1 :]  # one past the last Event
    expect(verify_ledger(raw[:1] + [unknown] + raw[2:], checkpoints, vkey), "unknown Event variant", kinds=("Malformed",), seq_=1)
    bad_role = b[:role_at] + bytes([6]) + b[role_at + 1 :]  # Role index 6 does not exist
    expect(verify_ledger(raw[:1] + [bad_role] + raw[2:], checkpoints, vkey), "unknown Role variant", kinds=("Malformed",), seq_=1)
    bad_tag = b[: off["author_tag"]] + b"\x01" + b[off["author_tag"] + 1 :]  # PublicKey index 1 does not exist
    expect(verify_ledger(raw[:1] + [bad_tag] + raw[2:], checkpoints, vkey), "unknown PublicKey algorithm", kinds=("Malformed",), seq_=1)
    bad_utf8 = b[: holder_at + 1] + b"\xff" + b[holder_at + 2 :]
    expect(verify_ledger(raw[:1] + [bad_utf8] + raw[2:], checkpoints, vkey), "invalid UTF-8", kinds=("Malformed",), seq_=1)
    other_label = LABEL_ENTRY_V2 if decoded[1].version == 1 else LABEL_ENTRY
    expect(verify_ledger(raw[:1] + [other_label + b[16:]] + raw[2:], checkpoints, vkey), "the other version's entry label", kinds=("Malformed",), seq_=1)
    expect(verify_ledger(raw[:1] + [b"liuhen/v3/entry\0" + b[16:]] + raw[2:], checkpoints, vkey), "unknown label v3", kinds=("Malformed",), seq_=1)
    huge_len = b[:holder_at] + b"\xff\xff\xff\xff\x0f" + b[holder_at + 1 :]  # holder length far past the end
    expect(verify_ledger(raw[:1] + [huge_len] + raw[2:], checkpoints, vkey), "string length past the end", kinds=("Malformed",), seq_=1)
    overflow = b[:16] + b"\xff" * 9 + b"\x02" + b[17:]  # a 10-byte varint above 2^64 - 1
    expect(verify_ledger(raw[:1] + [overflow] + raw[2:], checkpoints, vkey), "u64 varint overflow", kinds=("Malformed",), seq_=1)
    if decoded[1].version == 2:
        cp_at = off["case_prev"]
        bad_opt = b[:cp_at] + b"\x02" + b[cp_at + 1 :]
        expect(verify_ledger(raw[:1] + [bad_opt] + raw[2:], checkpoints, vkey), "case_prev Option tag 2", kinds=("Malformed",), seq_=1)
        bad_suite = b[: off["statement"]] + b"\x01" + b[off["statement"] + 1 :]  # Suite index 1 does not exist
        expect(verify_ledger(raw[:1] + [bad_suite] + raw[2:], checkpoints, vkey), "unknown Suite in the binding", kinds=("Malformed",), seq_=1)
    for i, e in enumerate(decoded):
        name, ev = e.statement["event"]
        if name == "AccessDecided":  # granted: bool, right after the request string
            c = raw[i]
            at = offsets(e, c)["event"] + 1 + len(encode(STR, ev["request"]))
            expect(verify_ledger(raw[:i] + [c[:at] + b"\x02" + c[at + 1 :]] + raw[i + 1 :], checkpoints, vkey),
                   "bool byte 2", kinds=("Malformed",), seq_=i)
        if name == "RecordingStopped" and ev["last_segment"] is not None:  # Option tag before 32 bytes
            c = raw[i]
            at = len(c) - 65 - 33
            expect(verify_ledger(raw[:i] + [c[:at] + b"\x02" + c[at + 1 :]] + raw[i + 1 :], checkpoints, vkey),
                   "Option tag 2", kinds=("Malformed",), seq_=i)
    big = b + bytes(MAX_ENTRY_BYTES)
    expect(verify_ledger(raw[:1] + [big] + raw[2:], checkpoints, vkey), "entry over 64 KiB", kinds=("Malformed",), seq_=1)

    # Strict Ed25519 (FORMAT.md 9.4).
    e1 = decoded[1]
    msg = e1.message()
    a = e1.statement["author"][1]
    sig = e1.signature
    s = int.from_bytes(sig[32:], "little")
    T.check(ed25519_verify(a, msg, sig), "Ed25519: the honest signature is accepted")
    T.check(not ed25519_verify(a, msg, sig[:32] + (s + L).to_bytes(32, "little")), "Ed25519: S + L (non-canonical S) refused")
    identity = (1).to_bytes(32, "little")
    T.check(not valid_public_key(identity), "Ed25519: identity public key refused (small order)")
    T.check(not ed25519_verify(identity, msg, identity + bytes(32)), "Ed25519: small-order key and R refused")
    noncanon = ((P + 3) | 0).to_bytes(32, "little")
    T.check(not valid_public_key(noncanon), "Ed25519: non-canonical y = p + 3 is refused (FORMAT.md 9.2, RFC 8032)")
    T.check(not valid_public_key((P + 2).to_bytes(32, "little")), "Ed25519: y = p + 2 does not decode")
    T.check(not ed25519_verify(a, msg, bytes(32) + sig[32:]), "Ed25519: small-order R (y = 0) refused")
    T.check(not ed25519_verify(a, msg, (P + 2).to_bytes(32, "little") + sig[32:]), "Ed25519: R that does not decode refused")

    # Checkpoints (FORMAT.md 12).
    cp = checkpoints[1]
    flipped = cp.replace("\n13\n", "\n14\n")
    expect(verify_ledger(raw, [checkpoints[0], flipped, checkpoints[2]], vkey), "checkpoint size edited", kinds=("BadCheckpoint",))
    lines = cp.split("\n")
    sigline = lines[4] + "\n"
    expect(verify_ledger(raw, [checkpoints[0], cp + sigline, checkpoints[2]], vkey), "duplicate signature line", kinds=("BadCheckpoint",))
    root_b64 = lines[2]
    noncanonical_root = root_b64[:-2] + chr(ord(root_b64[-2]) ^ 0x01) + "="  # non-zero trailing bits
    nc = cp.replace(root_b64, noncanonical_root)
    expect(verify_ledger(raw, [checkpoints[0], nc, checkpoints[2]], vkey), "non-canonical base64 root", kinds=("BadCheckpoint",))
    expect(verify_ledger(raw, [checkpoints[0], cp.replace("\n", "\r\n", 1), checkpoints[2]], vkey), "CR in a checkpoint", kinds=("BadCheckpoint",))
    expect(verify_ledger(raw, [checkpoints[0], cp.replace("\u2014", "-"), checkpoints[2]], vkey), "hyphen instead of em dash", kinds=("BadCheckpoint",))
    expect(verify_ledger(raw, checkpoints + [checkpoints[0].replace(vkey.name, vkey.name + "x", 1)], vkey), "checkpoint of another origin", kinds=("BadCheckpoint",))
    ext = cp.replace(root_b64 + "\n", root_b64 + "\nextension\n")
    expect(verify_ledger(raw, [checkpoints[0], ext, checkpoints[2]], vkey), "unsigned extension line added", kinds=("BadCheckpoint",))
    # A checkpoint text signed by the ledger key but for another root: Fork / mismatch.
    if fixture:
        seed = GOLDEN_SEEDS["ledger"]
        body = f"{vkey.name}\n13\n{base64.b64encode(bytes(32)).decode()}\n"
        forged = Note(body, [(vkey.name, vkey.key_id, ed25519_sign(seed, body.encode()))]).serialize()
        expect(verify_ledger(raw, checkpoints + [forged], vkey), "second root for size 13", kinds=("Fork", "CheckpointMismatch"))
        body0 = f"{vkey.name}\n0\n{base64.b64encode(mth([])).decode()}\n"
        empty = Note(body0, [(vkey.name, vkey.key_id, ed25519_sign(seed, body0.encode()))]).serialize()
        expect(verify_ledger(raw, checkpoints + [empty], vkey), "checkpoint of the empty tree", kinds=("CheckpointMismatch",))
    # Note parser limits (FORMAT.md 12.1): lines of unknown keys are ignored, but must be well formed.
    def note_with(extra: list[tuple[str, bytes, bytes]]) -> str:
        n1 = Note.parse(checkpoints[2].encode())
        return Note(n1.text, n1.sigs + extra).serialize()

    expect(verify_ledger(raw, checkpoints + [note_with([("w.example", b"abcd", bytes(72))])], vkey), "extra cosignature-like line", verdict="verified")
    expect(verify_ledger(raw, checkpoints + [note_with([(f"w{j}", b"abcd", bytes(64)) for j in range(99)])], vkey), "100 signature lines", verdict="verified")
    expect(verify_ledger(raw, checkpoints + [note_with([(f"w{j}", b"abcd", bytes(64)) for j in range(100)])], vkey), "101 signature lines", kinds=("BadCheckpoint",))
    expect(verify_ledger(raw, checkpoints + [note_with([("w", b"abcd", bytes(5000))])], vkey), "5000-byte signature", verdict="verified")
    expect(verify_ledger(raw, checkpoints + [note_with([("w", b"abcd", bytes(5001))])], vkey), "5001-byte signature", kinds=("BadCheckpoint",))
    expect(verify_ledger(raw, checkpoints + [note_with([("a\u00a0b", b"abcd", bytes(64))])], vkey), "key name with U+00A0", kinds=("BadCheckpoint",))
    expect(verify_ledger(raw, checkpoints + [note_with([("a" * 256, b"abcd", bytes(64))])], vkey), "key name of 256 bytes", kinds=("BadCheckpoint",))
    vname, vhash, vb64 = str(vkey).split("+", 2)
    if vhash.upper() != vhash:
        try:
            Vkey.parse(f"{vname}+{vhash.upper()}+{vb64}")
            T.check(False, "vkey with upper-case key id accepted")
        except NoteError:
            T.check(True, "vkey with upper-case key id refused")
    try:
        Vkey.parse(f"{vkey.name}+00000000+{str(vkey).split('+', 2)[2]}")
        T.check(False, "vkey with wrong key id accepted")
    except NoteError:
        T.check(True, "vkey with wrong key id refused")
    other = Vkey.for_key(vkey.name, ed25519_public(OUTSIDER_SEED))
    expect(verify_ledger(raw, checkpoints, other), "untrusted ledger key", kinds=("WrongLedgerKey", "BadCheckpoint"))
    expect(verify_ledger(raw, checkpoints, vkey, trusted_checkpoint=checkpoints[2]), "trusted checkpoint (27) still extended", verdict="verified")
    expect(verify_ledger(raw[:20], checkpoints[:2], vkey, trusted_checkpoint=checkpoints[2]), "rolled back below the trusted checkpoint", kinds=("Rollback",))

    # The admission rule (FORMAT.md 10), with statements signed by the fixture keys.
    if fixture:
        ver = decoded[0].version
        ledger_id = leaf_hash(raw[0])
        pubs = {k: ("Ed25519", ed25519_public(sd)) for k, sd in GOLDEN_SEEDS.items()}
        outsider = ("Ed25519", ed25519_public(OUTSIDER_SEED))
        last = decoded[-1].value
        t_next = last["logged_at"] + 1000
        prev = entries[-1][1]
        state = Admission()  # the admission state after the golden ledger
        for i, e in enumerate(decoded):
            if i == 0:
                state.note_entry0(e.version, ledger_id, e.value["logged_at"])
            T.check(state.check(i, e.statement, e.binding, e.value["logged_at"]) is None, f"fixture state: entry {i} admitted")
            state.apply(i, e.statement, e.binding, e.value["logged_at"])

        def stmt(author: tuple, event: tuple, time_: int, st8: Admission, version: int, **binding) -> dict:
            st = {"time": time_, "author": author, "event": event}
            if version == 2:
                st = {"suite": binding.get("suite", ("Sha256Ed25519Blake3", None)),
                      "ledger": binding.get("ledger", ledger_id),
                      "counter": binding.get("counter", st8.counters.get(author, 0) + 1), **st}
            return st

        def extend(steps: list) -> list[bytes]:
            """Appends (seed, event, options) steps, each signed, with counters and case_prev as
            the admission state expects unless an option overrides them."""
            st8 = copy.deepcopy(state)
            out, pv, t = list(raw), prev, t_next
            for seed, event, opt in steps:
                author = ("Ed25519", ed25519_public(seed))
                version = opt.get("version", ver)
                st = stmt(author, event, opt.get("time", t), st8, version, **opt.get("binding", {}))
                lat = opt.get("logged_at", t)
                cp = opt["case_prev"] if "case_prev" in opt else (st8.expected_case_prev(st) if version == 2 else None)
                b = build_entry(len(out), pv, lat, st, seed, version, cp)
                e = decode_entry(b)
                if st8.check(len(out), e.statement, e.binding, lat) is None:
                    st8.apply(len(out), e.statement, e.binding, lat)
                out.append(b)
                pv, t = leaf_hash(b), t + 1000
            return out

        def append(author: str | None, event: tuple, seed: bytes) -> Report:
            rep = verify_ledger(extend([(seed, event, {})]), checkpoints, vkey)
            T.check(rep.has("Unsealed", n), "appended entry is reported unsealed")
            return rep

        case = ("CaseClosed", {"case_no": "x", "outcome": "y", "file_retention": ("Permanent", None)})
        rep = append("officer", case, GOLDEN_SEEDS["officer"])
        expect(rep, "officer statement appended", verdict="unverified", kinds=("Unsealed",))
        rep = append("device", case, GOLDEN_SEEDS["device"])
        expect(rep, "device statement after its revocation (entry 26)", kinds=("Unauthorized",), seq_=n, registry_error="RevokedKey")
        rep = append(None, case, OUTSIDER_SEED)
        expect(rep, "statement by an unknown key", kinds=("Unauthorized",), seq_=n, registry_error="UnknownKey")
        auth = ("KeyAuthorized", {"key": outsider, "role": ("System", None), "holder": "me"})
        rep = append("officer", auth, GOLDEN_SEEDS["officer"])
        expect(rep, "officer authorizes a key (not System)", kinds=("Unauthorized",), seq_=n, registry_error="NotPermitted")
        rep = append("ledger", ("KeyAuthorized", {"key": pubs["officer"], "role": ("Officer", None), "holder": "x"}), GOLDEN_SEEDS["ledger"])
        expect(rep, "key authorized twice", kinds=("Unauthorized",), seq_=n, registry_error="AlreadyRegistered")
        rep = append("ledger", ("KeyRevoked", {"key": pubs["ledger"], "reason": "x"}), GOLDEN_SEEDS["ledger"])
        expect(rep, "ledger key revoked", kinds=("Unauthorized",), seq_=n, registry_error="LedgerKeyRevoked")
        rep = append("ledger", ("KeyRevoked", {"key": pubs["device"], "reason": "again"}), GOLDEN_SEEDS["ledger"])
        expect(rep, "revoking a revoked key", kinds=("Unauthorized",), seq_=n, registry_error="NotActive")
        rep = append("ledger", ("KeyAuthorized", {"key": ("Ed25519", identity), "role": ("Officer", None), "holder": "x"}), GOLDEN_SEEDS["ledger"])
        expect(rep, "authorizing a small-order key", kinds=("Unauthorized",), seq_=n, registry_error="InvalidKey")
        genesis_again = ("Genesis", {"origin": vkey.name, "suite": ("Sha256Ed25519Blake3", None), "ledger_key": pubs["ledger"]})
        rep = append("ledger", genesis_again, GOLDEN_SEEDS["ledger"])
        expect(rep, "second Genesis", kinds=("Unauthorized",), seq_=n, registry_error="GenesisMisplaced")
        noncanonical_key = ("Ed25519", (P + 3).to_bytes(32, "little"))
        rep = append("ledger", ("KeyAuthorized", {"key": noncanonical_key, "role": ("Officer", None), "holder": "x"}), GOLDEN_SEEDS["ledger"])
        expect(rep, "authorizing the non-canonical key y = p + 3 (refused, FORMAT.md 9.3)", kinds=("Unauthorized",), seq_=n, registry_error="InvalidKey")
        secret = ("ConfidentialityMarked", {"subject": ("Case", "x"), "level": ("StateSecret", None), "reason": "r"})
        rep = append("officer", secret, GOLDEN_SEEDS["officer"])
        expect(rep, "StateSecret marking (rule 4a)", kinds=("Unauthorized",), seq_=n, registry_error="StateSecret")
        # Time (10.2, 13.1 step 6, 13.3 step 6).
        o = GOLDEN_SEEDS["officer"]
        rep = verify_ledger(extend([(o, case, {"time": t_next + MAX_FUTURE_SKEW_MS + 1})]), checkpoints, vkey)
        expect(rep, "statement from the future", kinds=("FutureStatement",), seq_=n)
        rep = verify_ledger(extend([(o, case, {"time": t_next + MAX_FUTURE_SKEW_MS})]), checkpoints, vkey)
        expect(rep, "statement exactly max_future_skew_ms ahead", verdict="unverified", kinds=("Unsealed",))
        far = extend([(o, case, {"time": I64_MAX, "logged_at": I64_MAX - 1000})])
        rep = verify_ledger(far, checkpoints, vkey, now=I64_MAX)
        expect(rep, "time and logged_at near 2^63 (saturating skew), verifier clock there too", verdict="unverified", kinds=("Unsealed",))
        rep = verify_ledger(far, checkpoints, vkey)
        expect(rep, "unsealed logged_at far beyond the verifier's clock", kinds=("LoggedInFuture",), seq_=n)
        rep = verify_ledger(raw, checkpoints, vkey, now=decoded[0].value["logged_at"] - MAX_FUTURE_SKEW_MS - 1)
        expect(rep, "sealed entries later than the verifier's clock are vouched for by checkpoints", verdict="verified")
        rep = verify_ledger(extend([(o, case, {"logged_at": last["logged_at"] - 1, "time": last["logged_at"] - 1})]), checkpoints, vkey)
        expect(rep, "logged_at going backwards", kinds=("TimeReversal",), seq_=n)
        genesis_time = decoded[0].value["logged_at"]
        for label, t0 in (("0", 0), ("i64::MIN", I64_MIN), ("seconds instead of milliseconds", genesis_time // 1000),
                          ("genesis time - skew - 1", genesis_time - MAX_FUTURE_SKEW_MS - 1)):
            rep = verify_ledger(extend([(o, case, {"time": t0})]), checkpoints, vkey)
            expect(rep, f"statement time {label}", kinds=("StatementBeforeGenesis",), seq_=n)
        rep = verify_ledger(extend([(o, case, {"time": genesis_time - MAX_FUTURE_SKEW_MS})]), checkpoints, vkey)
        expect(rep, "statement time = genesis time - skew", verdict="unverified", kinds=("Unsealed",))
        # Roles (10.1) and recording sessions (10.4) with a fresh device key.
        dev2_seed = bytes([0x55]) * 32
        dev2 = ("Ed25519", ed25519_public(dev2_seed))
        lk = GOLDEN_SEEDS["ledger"]
        add_dev2 = (lk, ("KeyAuthorized", {"key": dev2, "role": ("Device", None), "holder": "BWC-2"}), {})
        golden_session = next(e.statement["event"][1]["session"] for e in decoded if e.statement["event"][0] == "RecordingStarted")
        golden_case = next(e.statement["event"][1]["case_no"] for e in decoded if e.statement["event"][0] == "CaseOpened")

        def started(session: str, device: tuple = dev2) -> tuple:
            return ("RecordingStarted", {"session": session, "case_no": golden_case, "device": device,
                                         "method": ("BodyWornRecorder", None), "location": {"place": "p", "landmark": None},
                                         "matter": "m", "officers": ["21020001"], "party": None})

        def seg(session: str, index: int, prev_seg: bytes | None, digest: bytes) -> tuple:
            return ("SegmentSealed", {"session": session, "index": index, "prev_segment": prev_seg,
                                      "media": {"digest": digest, "length": 1, "mime": "video/mp4", "name": "s"},
                                      "start": t_next, "end": t_next + 1})

        def stopped(session: str, count: int, last_seg: bytes | None) -> tuple:
            return ("RecordingStopped", {"session": session, "segments": count, "last_segment": last_seg})

        def refused(steps: list, what: str, finding: str, registry_error: str | None = None) -> None:
            out = extend(steps)
            rep = verify_ledger(out, checkpoints, vkey)
            expect(rep, what, kinds=(finding,), seq_=len(out) - 1, registry_error=registry_error)
            T.check(all(f[1] == len(out) - 1 for f in rep.findings if f[0] not in UNVERIFIED_KINDS),
                    f"{what}: only the last entry is refused ({rep.findings[:4]})")

        def admitted(steps: list, what: str) -> None:
            expect(verify_ledger(extend(steps), checkpoints, vkey), what, verdict="unverified", kinds=("Unsealed",))

        d1, d2 = bytes([0xA1]) * 32, bytes([0xA2]) * 32
        opened = ("CaseOpened", {"case_no": "新案", "act": ("Inspection", None), "matter": "m", "unit": "u", "subject": bytes(32)})
        admitted([add_dev2, (dev2_seed, started("S2"), {}), (dev2_seed, seg("S2", 0, None, d1), {}),
                  (dev2_seed, seg("S2", 1, d1, d2), {}), (dev2_seed, stopped("S2", 2, d2), {})], "a whole second session")
        interrupted = ("RecordingInterrupted", {"session": golden_session, "reason": ("Battery", None), "at": t_next})
        admitted([(o, interrupted, {})], "officer-signed RecordingInterrupted after the stop (issue 11 item 3)")
        refused([add_dev2, (dev2_seed, opened, {})], "a device opens a case (10.1)", "Unauthorized", "NotPermitted")
        refused([(o, started("S3", ("Ed25519", ed25519_public(o))), {})], "an officer starts a recording (10.1)", "Unauthorized", "NotPermitted")
        refused([add_dev2, (dev2_seed, started(golden_session), {})], "a second device reuses a session id", "SessionInUse")
        refused([add_dev2, (dev2_seed, started("S3", pubs["officer"]), {})], "RecordingStarted naming another device", "SegmentWrongDevice")
        refused([add_dev2, (dev2_seed, seg("nope", 0, None, d1), {})], "segment of a session never started", "SegmentOrphan")
        refused([add_dev2, (dev2_seed, seg(golden_session, 2, None, d1), {})], "segment after the stop", "SegmentAfterStop")
        base = [add_dev2, (dev2_seed, started("S2"), {}), (dev2_seed, seg("S2", 0, None, d1), {})]
        refused(base + [(dev2_seed, seg("S2", 2, d1, d2), {})], "segment index skipped", "SegmentMissing")
        refused(base + [(dev2_seed, seg("S2", 0, None, d2), {})], "segment index repeated", "SegmentDuplicate")
        refused(base + [(dev2_seed, seg("S2", 1, d2, d2), {})], "segment prev_segment wrong", "SegmentChainBroken")
        refused(base + [(dev2_seed, stopped("S2", 2, d1), {})], "stop with a wrong segment count", "SegmentCountMismatch")
        refused(base + [(dev2_seed, stopped("S2", 1, d2), {})], "stop with a wrong last segment", "SegmentCountMismatch")
        dev3_seed = bytes([0x66]) * 32
        add_dev3 = (lk, ("KeyAuthorized", {"key": ("Ed25519", ed25519_public(dev3_seed)), "role": ("Device", None), "holder": "BWC-3"}), {})
        refused(base + [add_dev3, (dev3_seed, seg("S2", 1, d1, d2), {})], "another device seals a segment of the session", "SegmentWrongDevice")
        refused(base + [add_dev3, (dev3_seed, ("RecordingInterrupted", {"session": "S2", "reason": ("Battery", None), "at": 0}), {})],
                "another device interrupts the session", "SegmentWrongDevice")
        # Cases (10.5) and holds (10.6).
        closed = ("CaseClosed", {"case_no": "新案", "outcome": "o", "file_retention": ("Until", t_next + 10_000)})
        refused([(o, opened, {}), (o, opened, {})], "a case opened twice", "CaseAlreadyOpen")
        admitted([(o, opened, {}), (o, closed, {}), (o, opened, {})], "a case closed and opened again")
        seg_media = next(e.statement["event"][1]["media"]["digest"] for e in decoded if e.statement["event"][0] == "SegmentSealed")
        purge = ("MediaPurged", {"media": seg_media, "authority": "a"})
        refused([(o, purge, {})], "purge of a segment of a case kept permanently", "MediaPurgeUnlawful")
        doc = {"digest": d1, "length": 1, "mime": "application/pdf", "name": "d"}
        filed = ("DocumentFiled", {"case_no": "新案", "stage": ("Initiation", None), "kind": ("EnforcementDocument", None), "media": doc, "officers": []})
        purge1 = ("MediaPurged", {"media": d1, "authority": "a"})
        refused([(o, opened, {}), (o, filed, {}), (o, closed, {}), (o, purge1, {})], "purge within the retention period", "MediaPurgeUnlawful")
        admitted([(o, opened, {}), (o, filed, {}), (o, closed, {}), (o, purge1, {"logged_at": t_next + 20_000, "time": t_next + 20_000})],
                 "purge after the retention period")
        admitted([(o, opened, {}), (o, filed, {}), (o, purge1, {})], "purge of a document of a case with no retention recorded")
        hold = ("PreservationOrdered", {"case_no": "新案", "trigger": ("Litigation", None)})
        release = ("PreservationReleased", {"case_no": "新案", "approved_by": "x"})
        refused([(o, opened, {}), (o, filed, {}), (o, hold, {}), (o, purge1, {})], "purge under a preservation order", "MediaPurgeUnlawful")
        admitted([(o, opened, {}), (o, filed, {}), (o, hold, {}), (o, release, {}), (o, purge1, {})], "purge after the order's release")
        cust_seed = bytes([0x77]) * 32
        add_cust = (lk, ("KeyAuthorized", {"key": ("Ed25519", ed25519_public(cust_seed)), "role": ("Custodian", None), "holder": "21020009"}), {})
        refused([add_cust, (o, opened, {}), (o, filed, {}), (o, hold, {}), (cust_seed, purge1, {})],
                "a custodian purges media under a preservation order (issue 11 item 3)", "MediaPurgeUnlawful")
        decided = ("AccessDecided", {"request": "REQ-X", "granted": True, "reason": "r"})
        refused([add_dev2, (dev2_seed, decided, {})], "a device key decides an access request (issue 11 item 7)", "Unauthorized", "NotPermitted")
        refused([add_cust, (cust_seed, decided, {})], "a custodian decides an access request (10.1)", "Unauthorized", "NotPermitted")
        deriv = ("DerivativeMade", {"original": d1, "derivative": dict(doc, digest=d2), "kind": ("Clip", None), "reason": "r"})
        refused([(o, opened, {}), (o, filed, {}), (o, deriv, {}), (o, hold, {}), (o, ("MediaPurged", {"media": d2, "authority": "a"}), {})],
                "purge of a derivative of a held case's media", "MediaPurgeUnlawful")
        # Document descriptions (10.9).
        described = ("DocumentDescribed", {"case_no": "新案", "document": d1, "proves": "p", "pages": 3})
        admitted([(o, opened, {}), (o, filed, {}), (o, described, {})], "a description of a document filed in its case")
        admitted([(o, opened, {}), (o, filed, {}), (o, described, {}), (o, ("DocumentDescribed", dict(described[1], pages=None)), {})],
                 "a second description of the same document")
        refused([(o, opened, {}), (o, described, {})], "a description of a document never filed", "DocumentNotFiled")
        refused([(o, opened, {}), (o, filed, {}), (o, ("DocumentDescribed", dict(described[1], case_no="别案")), {})],
                "a description of a document of another case", "DocumentNotFiled")
        refused([add_dev2, (o, opened, {}), (o, filed, {}), (dev2_seed, described, {})],
                "a device describes a document (10.1)", "Unauthorized", "NotPermitted")
        # Binding (10.3).
        if ver == 2:
            last_counter = state.counters[pubs["officer"]]
            refused([(o, case, {"binding": {"counter": last_counter}})], "counter equal to the author's last", "Replay")
            refused([(o, case, {"binding": {"counter": 0}})], "counter below the author's last", "Replay")
            admitted([(o, case, {"binding": {"counter": last_counter + 1000}})], "counter with a gap")
            refused([(o, case, {"binding": {"ledger": bytes(32)}})], "binding to the zero ledger id", "WrongLedger")
            refused([(o, case, {"binding": {"ledger": leaf_hash(raw[1])}})], "binding to another ledger id", "WrongLedger")
            refused([(o, case, {"version": 1})], "a v1 statement signed for the v2 ledger", "WrongLedger")
            # The genesis nonce is not the ledger key's counter: its first statement may carry any.
            T.check(pubs["ledger"] in state.counters and state.counters[pubs["ledger"]] < decoded[0].binding[2],
                    "the ledger key's counters are below the genesis nonce, and admitted")
        else:
            refused([(o, case, {"version": 2})], "a v2 statement in a v1 ledger", "WrongLedger")
        # Genesis signed by another key than the one it declares.
        g = decoded[0].statement
        bad_genesis = build_entry(0, bytes(32), decoded[0].value["logged_at"], dict(g, author=pubs["officer"]), GOLDEN_SEEDS["officer"], ver)
        rep = verify_ledger([bad_genesis] + raw[1:], checkpoints, vkey)
        expect(rep, "genesis by another key", kinds=("Unauthorized",), seq_=0, registry_error="BadGenesis")
        T.check(rep.has("BrokenChain", 1) and rep.has("CheckpointMismatch"), "genesis by another key: entry 1 and the checkpoints no longer match")
        T.check(all(rep.has("Unauthorized", i, "NoGenesis") for i in range(1, n)), "without a valid genesis every later entry is NoGenesis")
        if ver == 2:
            nonzero = dict(g, ledger=bytes([1]) * 32)
            ge = build_entry(0, bytes(32), decoded[0].value["logged_at"], nonzero, GOLDEN_SEEDS["ledger"], 2)
            expect(verify_ledger([ge], [], vkey), "v2 genesis bound to a non-zero ledger id", kinds=("WrongLedger",), seq_=0)
    return T.passed + T.failed - start


# ---------------------------------------------------------------------------------------------


def other_version(directory: str, decoded: list[DecodedEntry]) -> list[DecodedEntry] | None:
    """The golden entries of the other format version, from the sibling vector directory."""
    if not decoded:
        return None
    sibling = os.path.join(os.path.dirname(os.path.normpath(directory)), "v2" if decoded[0].version == 1 else "v1")
    if not os.path.exists(os.path.join(sibling, "entries.txt")):
        return None
    try:
        return [decode_entry(b) for _, _, b in load(sibling)[0]]
    except DecodeError:
        return None


def run(directory: str) -> None:
    print(f"== {os.path.normpath(directory)}")
    entries, roots, checkpoints, vkey_text = load(directory)
    pinned_checkpoints = list(checkpoints)
    # FORMAT.md 15: event kinds added after the vectors were pinned continue the golden ledger in
    # extension/; the pinned files and the extension are checked as one ledger.
    extension = os.path.join(directory, "extension")
    if os.path.exists(os.path.join(extension, "entries.txt")):
        ext_entries, ext_roots, ext_checkpoints, _ = load(extension)
        print(f"extension: {len(ext_entries)} entries after the {len(entries)} pinned")
        entries, roots, checkpoints = entries + ext_entries, roots + ext_roots, checkpoints + ext_checkpoints
    decoded, vkey = check_vectors(entries, roots, checkpoints, vkey_text)
    if vkey is not None and checkpoints:
        check_cosigned(directory, pinned_checkpoints, vkey)
    fixture = bool(decoded) and check_fixture(decoded)
    if vkey is not None and len(decoded) == len(entries) and len(entries) >= 8 and len(checkpoints) >= 3:
        count = negative_checks(entries, checkpoints, vkey, decoded, fixture, other_version(directory, decoded))
        print(f"negative self-checks: {count}")


def main() -> int:
    t0 = time.monotonic()
    if len(sys.argv) > 2 or (len(sys.argv) == 2 and sys.argv[1].startswith("-")):
        print("usage: verify.py [VECTOR_DIR]   (default: tests/vectors/v1 and tests/vectors/v2)", file=sys.stderr)
        return 2
    here = os.path.dirname(os.path.abspath(__file__))
    if len(sys.argv) == 2:
        dirs = [sys.argv[1]]
    else:
        dirs = [os.path.join(here, "..", "vectors", v) for v in ("v1", "v2")]
    for d in dirs:
        run(d)
    print(f"Ed25519 verifications computed: {SIGNATURES_VERIFIED}; time {time.monotonic() - t0:.1f} s")
    print(f"{T.passed} passed, {T.failed} failed")
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
