//! Verification of an RFC 3161 token (a CMS `SignedData` over a `TSTInfo`) for a checkpoint.

use super::ess::{SigningCertificate, SigningCertificateV2};
use super::{
    check_len, gen_time_of, hex, message_imprint, TimestampError, TsaRoots, VerifiedTimestamp,
    ID_SHA_256,
};
use crate::checkpoint::Checkpoint;
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::oid::ObjectIdentifier;
use der::{Decode, Encode, Tag, Tagged};
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, UnixTime};
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::Certificate;
use x509_tsp::TstInfo;

const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
/// id-kp-timeStamping, DER contents octets (what webpki matches).
const TIME_STAMPING_EKU: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08];

const ID_SHA_384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA_512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");

/// The digests a SignerInfo may use.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn from_oid(oid: &ObjectIdentifier, what: &'static str) -> Result<Self, TimestampError> {
        match *oid {
            o if o == ID_SHA_256 => Ok(Hash::Sha256),
            o if o == ID_SHA_384 => Ok(Hash::Sha384),
            o if o == ID_SHA_512 => Ok(Hash::Sha512),
            o => Err(TimestampError::UnsupportedHash {
                what,
                oid: o.to_string(),
            }),
        }
    }

    fn digest(self, bytes: &[u8]) -> Vec<u8> {
        let alg = match self {
            Hash::Sha256 => &ring::digest::SHA256,
            Hash::Sha384 => &ring::digest::SHA384,
            Hash::Sha512 => &ring::digest::SHA512,
        };
        ring::digest::digest(alg, bytes).as_ref().to_vec()
    }
}

/// Parses a token into its SignedData and TSTInfo, checking only the structure (content types,
/// the eContent is an OCTET STRING holding a TSTInfo). Nothing is verified.
pub(crate) fn parse_token(token_der: &[u8]) -> Result<(SignedData, TstInfo), TimestampError> {
    check_len("timestamp token", token_der.len())?;
    let info = ContentInfo::from_der(token_der)
        .map_err(|e| TimestampError::malformed("token ContentInfo", e))?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(TimestampError::NotAToken(format!(
            "content type {} is not signedData",
            info.content_type
        )));
    }
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|e| TimestampError::malformed("token SignedData", e))?;
    let encap = &signed.encap_content_info;
    if encap.econtent_type != ID_CT_TST_INFO {
        return Err(TimestampError::NotAToken(format!(
            "encapsulated content type {} is not id-ct-TSTInfo",
            encap.econtent_type
        )));
    }
    let tst = {
        let econtent = econtent_bytes(&signed)?;
        TstInfo::from_der(econtent).map_err(|e| TimestampError::malformed("TSTInfo", e))?
    };
    Ok((signed, tst))
}

/// The eContent octets (the DER TSTInfo), what the message-digest attribute hashes.
fn econtent_bytes(signed: &SignedData) -> Result<&[u8], TimestampError> {
    let econtent = signed
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or_else(|| TimestampError::NotAToken("no encapsulated TSTInfo".into()))?;
    if econtent.tag() != Tag::OctetString {
        return Err(TimestampError::NotAToken(
            "eContent is not an OCTET STRING".into(),
        ));
    }
    Ok(econtent.value())
}

/// The TSTInfo's imprint must be SHA-256 of our message.
pub(crate) fn check_imprint(tst: &TstInfo, expected: &[u8; 32]) -> Result<(), TimestampError> {
    let mi = &tst.message_imprint;
    if mi.hash_algorithm.oid != ID_SHA_256 {
        return Err(TimestampError::UnsupportedHash {
            what: "message imprint",
            oid: mi.hash_algorithm.oid.to_string(),
        });
    }
    let found = mi.hashed_message.as_bytes();
    if found != expected.as_slice() {
        return Err(TimestampError::ImprintMismatch {
            expected: hex(expected),
            found: hex(found),
        });
    }
    Ok(())
}

/// Verifies `token_der` as a timestamp of `checkpoint` by a TSA under `roots`.
///
/// Checks, in order: the structure (ContentInfo → SignedData → TSTInfo, one SignerInfo); the
/// signer's certificate is in the token and is a timestamping certificate (extended key usage
/// present, critical, and only id-kp-timeStamping: RFC 3161 §2.3); the signed attributes
/// (content-type is id-ct-TSTInfo, message-digest is the hash of the TSTInfo); the signature
/// over them with that certificate's key (ECDSA P-256/P-384, RSA PKCS#1 v1.5, SHA-256/384/512);
/// the signing-certificate (v1 or v2) attribute names that certificate; the certificate chains
/// (through the token's other certificates) to one of `roots`, every certificate valid AT the
/// token's genTime, not now; and finally the TSTInfo's imprint is SHA-256 of
/// [`super::stamped_message`]`(checkpoint)`.
///
/// # Errors
/// The first check that fails, as a [`TimestampError`]; [`TimestampError::is_tampering`] tells
/// altered evidence from a token that cannot be trusted.
pub fn verify_token(
    token_der: &[u8],
    checkpoint: &Checkpoint,
    roots: &TsaRoots,
) -> Result<VerifiedTimestamp, TimestampError> {
    let (signed, tst) = parse_token(token_der)?;
    let signer = match signed.signer_infos.0.as_slice() {
        [one] => one,
        others => {
            return Err(TimestampError::NotAToken(format!(
                "{} signers, a token has exactly one",
                others.len()
            )))
        }
    };
    let certs: Vec<&Certificate> = signed
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(cert) => Some(cert),
                    CertificateChoices::Other(_) => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let signer_cert = find_signer(&certs, &signer.sid)?;
    let signer_der = signer_cert
        .to_der()
        .map_err(|e| TimestampError::malformed("TSA certificate", e))?;
    check_timestamping_eku(signer_cert)?;

    let econtent = econtent_bytes(&signed)?;
    let digest_alg = Hash::from_oid(&signer.digest_alg.oid, "signer digest")?;
    let signed_attrs = check_signed_attributes(signer, digest_alg, econtent, &signer_der)?;

    let signer_cert_der = CertificateDer::from(signer_der.as_slice());
    let end_entity = webpki::EndEntityCert::try_from(&signer_cert_der)
        .map_err(|e| TimestampError::NotTimestampingCertificate(format!("{e:?}")))?;
    check_signature(&end_entity, signer, digest_alg, &signed_attrs)?;

    // The path, at genTime.
    let gen_time = gen_time_of(&tst);
    let when = UnixTime::since_unix_epoch(tst.gen_time.to_unix_duration());
    let anchors = roots
        .certs()
        .iter()
        .map(|c| {
            webpki::anchor_from_trusted_cert(&CertificateDer::from(c.as_slice()))
                .map(|a| a.to_owned())
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TimestampError::Roots(format!("{e:?}")))?;
    let intermediates: Vec<CertificateDer<'static>> = certs
        .iter()
        .filter_map(|c| c.to_der().ok())
        .filter(|der| *der != signer_der)
        .map(CertificateDer::from)
        .collect();
    end_entity
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &anchors,
            &intermediates,
            when,
            webpki::KeyUsage::required(TIME_STAMPING_EKU),
            None,
            None,
        )
        .map_err(|e| {
            TimestampError::Untrusted(match e {
                // No root has its issuer's name, or one has it but did not sign it.
                webpki::Error::UnknownIssuer => {
                    "it does not chain to a configured TSA root".to_owned()
                }
                webpki::Error::InvalidSignatureForPublicKey => {
                    "it does not chain to a configured TSA root (a root of the same name did \
                     not sign it)"
                        .to_owned()
                }
                webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } => {
                    format!(
                        "a certificate of the chain is not valid at genTime {}s ({e:?})",
                        when.as_secs()
                    )
                }
                other => format!("{other:?}"),
            })
        })?;

    check_imprint(&tst, &message_imprint(checkpoint))?;
    Ok(VerifiedTimestamp {
        gen_time,
        tsa_subject: signer_cert.tbs_certificate.subject.to_string(),
        serial: hex(tst.serial_number.as_bytes()),
        policy: tst.policy.to_string(),
    })
}

fn find_signer<'c>(
    certs: &[&'c Certificate],
    sid: &SignerIdentifier,
) -> Result<&'c Certificate, TimestampError> {
    certs
        .iter()
        .copied()
        .find(|cert| {
            let tbs = &cert.tbs_certificate;
            match sid {
                SignerIdentifier::IssuerAndSerialNumber(ias) => {
                    tbs.issuer == ias.issuer && tbs.serial_number == ias.serial_number
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => {
                    match tbs.get::<x509_cert::ext::pkix::SubjectKeyIdentifier>() {
                        Ok(Some((_, own))) => own == *ski,
                        _ => false,
                    }
                }
            }
        })
        .ok_or(TimestampError::SignerCertificateNotFound)
}

/// RFC 3161 §2.3: the TSA certificate MUST have exactly one extended key usage,
/// id-kp-timeStamping, in a critical extension.
fn check_timestamping_eku(cert: &Certificate) -> Result<(), TimestampError> {
    let exts = cert.tbs_certificate.extensions.as_deref().unwrap_or(&[]);
    let mut found = exts.iter().filter(|e| e.extn_id == ID_CE_EXT_KEY_USAGE);
    let ext = match (found.next(), found.next()) {
        (Some(ext), None) => ext,
        (None, _) => {
            return Err(TimestampError::NotTimestampingCertificate(
                "no extended key usage extension".into(),
            ))
        }
        (Some(_), Some(_)) => {
            return Err(TimestampError::NotTimestampingCertificate(
                "two extended key usage extensions".into(),
            ))
        }
    };
    if !ext.critical {
        return Err(TimestampError::NotTimestampingCertificate(
            "the extended key usage extension is not critical".into(),
        ));
    }
    let eku = ExtendedKeyUsage::from_der(ext.extn_value.as_bytes())
        .map_err(|e| TimestampError::malformed("extended key usage", e))?;
    if eku.0.as_slice() != [ID_KP_TIME_STAMPING] {
        let list: Vec<String> = eku.0.iter().map(|o| o.to_string()).collect();
        return Err(TimestampError::NotTimestampingCertificate(format!(
            "extended key usage is [{}], not only id-kp-timeStamping",
            list.join(", ")
        )));
    }
    Ok(())
}

/// Checks the signed attributes and returns their DER (a SET OF, what was signed).
fn check_signed_attributes(
    signer: &SignerInfo,
    digest_alg: Hash,
    econtent: &[u8],
    signer_der: &[u8],
) -> Result<Vec<u8>, TimestampError> {
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| TimestampError::SignedAttribute("set is missing".into()))?;
    let single = |oid: ObjectIdentifier, name: &str| {
        let mut it = attrs.iter().filter(|a| a.oid == oid);
        match (it.next(), it.next()) {
            (Some(a), None) => match a.values.as_slice() {
                [v] => Ok(Some(v.clone())),
                _ => Err(TimestampError::SignedAttribute(format!(
                    "{name} must have exactly one value"
                ))),
            },
            (None, _) => Ok(None),
            _ => Err(TimestampError::SignedAttribute(format!(
                "{name} appears twice"
            ))),
        }
    };
    let required = |oid, name: &str| {
        single(oid, name)?
            .ok_or_else(|| TimestampError::SignedAttribute(format!("{name} is missing")))
    };

    let content_type: ObjectIdentifier = required(ID_CONTENT_TYPE, "content-type")?
        .decode_as()
        .map_err(|e| TimestampError::malformed("content-type attribute", e))?;
    if content_type != ID_CT_TST_INFO {
        return Err(TimestampError::SignedAttribute(format!(
            "content-type is {content_type}, not id-ct-TSTInfo"
        )));
    }
    let digest: der::asn1::OctetString = required(ID_MESSAGE_DIGEST, "message-digest")?
        .decode_as()
        .map_err(|e| TimestampError::malformed("message-digest attribute", e))?;
    if digest.as_bytes() != digest_alg.digest(econtent).as_slice() {
        return Err(TimestampError::MessageDigestMismatch);
    }

    // The signing-certificate attribute: its first ESSCertID names the signer's certificate.
    if let Some(v2) = single(ID_SIGNING_CERTIFICATE_V2, "signing-certificate-v2")? {
        let sc: SigningCertificateV2 = v2
            .decode_as()
            .map_err(|e| TimestampError::malformed("signing-certificate-v2 attribute", e))?;
        let first = sc
            .certs
            .first()
            .ok_or(TimestampError::SigningCertificateMismatch)?;
        let hash = match &first.hash_algorithm {
            None => Hash::Sha256,
            Some(alg) => Hash::from_oid(&alg.oid, "ESSCertIDv2")?,
        };
        if first.cert_hash.as_bytes() != hash.digest(signer_der).as_slice() {
            return Err(TimestampError::SigningCertificateMismatch);
        }
    } else if let Some(v1) = single(ID_SIGNING_CERTIFICATE, "signing-certificate")? {
        let sc: SigningCertificate = v1
            .decode_as()
            .map_err(|e| TimestampError::malformed("signing-certificate attribute", e))?;
        let first = sc
            .certs
            .first()
            .ok_or(TimestampError::SigningCertificateMismatch)?;
        // ESSCertID is fixed to SHA-1 (RFC 2634); used only to name a certificate.
        let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, signer_der);
        if first.cert_hash.as_bytes() != sha1.as_ref() {
            return Err(TimestampError::SigningCertificateMismatch);
        }
    } else {
        return Err(TimestampError::SignedAttribute(
            "signing-certificate (v1 or v2) is missing".into(),
        ));
    }
    attrs
        .to_der()
        .map_err(|e| TimestampError::malformed("signed attributes", e))
}

fn check_signature(
    cert: &webpki::EndEntityCert<'_>,
    signer: &SignerInfo,
    digest_alg: Hash,
    signed_attrs: &[u8],
) -> Result<(), TimestampError> {
    use webpki::ring as alg;
    let oid = signer.signature_algorithm.oid;
    let unsupported = || TimestampError::UnsupportedSignatureAlgorithm(oid.to_string());
    // The signature algorithm's own hash, when it names one, must be the digest algorithm.
    let hash = match oid {
        o if o == SHA256_WITH_RSA || o == ECDSA_WITH_SHA256 => Hash::Sha256,
        o if o == SHA384_WITH_RSA || o == ECDSA_WITH_SHA384 => Hash::Sha384,
        o if o == SHA512_WITH_RSA => Hash::Sha512,
        o if o == RSA_ENCRYPTION || o == ID_EC_PUBLIC_KEY => digest_alg,
        _ => return Err(unsupported()),
    };
    if hash != digest_alg {
        return Err(unsupported());
    }
    let rsa = oid == RSA_ENCRYPTION
        || oid == SHA256_WITH_RSA
        || oid == SHA384_WITH_RSA
        || oid == SHA512_WITH_RSA;
    let candidates: &[&dyn SignatureVerificationAlgorithm] = match (rsa, hash) {
        (true, Hash::Sha256) => &[alg::RSA_PKCS1_2048_8192_SHA256],
        (true, Hash::Sha384) => &[alg::RSA_PKCS1_2048_8192_SHA384],
        (true, Hash::Sha512) => &[alg::RSA_PKCS1_2048_8192_SHA512],
        (false, Hash::Sha256) => &[alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256],
        (false, Hash::Sha384) => &[alg::ECDSA_P384_SHA384, alg::ECDSA_P256_SHA384],
        (false, Hash::Sha512) => return Err(unsupported()),
    };
    let signature = signer.signature.as_bytes();
    let mut any_matching_key = false;
    for candidate in candidates {
        match cert.verify_signature(*candidate, signed_attrs, signature) {
            Ok(()) => return Ok(()),
            Err(webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_)) => {}
            Err(_) => any_matching_key = true,
        }
    }
    if any_matching_key {
        Err(TimestampError::BadSignature)
    } else {
        Err(unsupported())
    }
}
