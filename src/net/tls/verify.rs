//! `--insecure`: a verifier that accepts any certificate (handshake
//! signatures are still checked, so the keys are the certificate's), and
//! the real check run afterwards only to say what it would have found.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

/// Accepts every certificate chain.
#[derive(Debug)]
pub(crate) struct Anything {
    algorithms: WebPkiSupportedAlgorithms,
}

impl Anything {
    pub(crate) fn new() -> Self {
        Self { algorithms: super::provider().signature_verification_algorithms }
    }
}

impl ServerCertVerifier for Anything {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// What verifying `chain` for `name` against `roots` finds: `None` when it
/// passes, else the reason in the grammar's words.
pub(crate) fn would_fail(
    roots: &Arc<RootCertStore>,
    name: &ServerName<'static>,
    chain: &[CertificateDer<'static>],
) -> Option<String> {
    let Some((leaf, rest)) = chain.split_first() else {
        return Some("the server sent no certificate".into());
    };
    let Ok(verifier) =
        WebPkiServerVerifier::builder_with_provider(roots.clone(), super::provider()).build()
    else {
        return Some("no trusted CA to check against".into());
    };
    match verifier.verify_server_cert(leaf, rest, name, &[], UnixTime::now()) {
        Ok(_) => None,
        Err(err) => {
            let failed = super::errors::from_rustls(&err, false);
            Some(format!("{} ({})", failed.name, failed.text))
        }
    }
}
