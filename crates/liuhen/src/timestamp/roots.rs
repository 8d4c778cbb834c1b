//! The TSA roots a verifier trusts, read from PEM.

use super::TimestampError;
use der::Encode;
use std::path::Path;
use x509_cert::Certificate;

/// The largest root file accepted (1 MiB), checked before reading it whole.
const MAX_ROOTS_BYTES: usize = 1024 * 1024;

/// One or more trusted TSA root certificates (DER), the anchors of [`super::verify_token`].
#[derive(Clone, Debug)]
pub struct TsaRoots {
    certs: Vec<Vec<u8>>,
}

impl TsaRoots {
    /// Reads PEM text holding one or more `CERTIFICATE` blocks.
    ///
    /// # Errors
    /// [`TimestampError::Roots`] if the text holds no certificate or one does not parse.
    pub fn from_pem(pem: &[u8]) -> Result<Self, TimestampError> {
        let certs = Certificate::load_pem_chain(pem)
            .map_err(|e| TimestampError::Roots(format!("not PEM certificates: {e}")))?;
        if certs.is_empty() {
            return Err(TimestampError::Roots(
                "no certificate in the PEM text".into(),
            ));
        }
        let certs = certs
            .iter()
            .map(|c| c.to_der())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TimestampError::Roots(e.to_string()))?;
        // webpki must accept each as an anchor.
        for c in &certs {
            let der = rustls_pki_types::CertificateDer::from(c.as_slice());
            webpki::anchor_from_trusted_cert(&der)
                .map_err(|e| TimestampError::Roots(format!("unusable root certificate: {e:?}")))?;
        }
        Ok(TsaRoots { certs })
    }

    /// Reads a PEM file (see [`TsaRoots::from_pem`]).
    ///
    /// # Errors
    /// [`TimestampError::Io`], or [`TimestampError::Roots`].
    pub fn read(path: &Path) -> Result<Self, TimestampError> {
        let bytes = super::files::read_at_most(path, MAX_ROOTS_BYTES)?;
        if bytes.len() > MAX_ROOTS_BYTES {
            return Err(TimestampError::Roots(format!(
                "{}: more than {MAX_ROOTS_BYTES} bytes",
                path.display()
            )));
        }
        Self::from_pem(&bytes)
    }

    /// The root certificates, DER.
    pub fn certs(&self) -> &[Vec<u8>] {
        &self.certs
    }
}
