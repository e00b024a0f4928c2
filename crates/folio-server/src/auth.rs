//! Bearer token and HMAC request signatures.
//!
//! The signature is `hex(hmac_sha256(secret, timestamp + "\n" + hex(sha256(body))))`, sent as
//! `X-Folio-Signature` with the Unix time in seconds as `X-Folio-Timestamp`. A signature is
//! accepted once: the replay cache remembers every signature seen within the skew window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::{AuthConfig, DEFAULT_MAX_SKEW};
use crate::error::ApiError;

pub const TIMESTAMP_HEADER: &str = "x-folio-timestamp";
pub const SIGNATURE_HEADER: &str = "x-folio-signature";

/// Most signatures remembered. A full cache of unexpired signatures turns requests away (503)
/// rather than forgetting one, which would let it be replayed.
pub const REPLAY_CACHE_CAPACITY: usize = 100_000;

pub struct Auth {
    /// SHA-256 of the token: comparing fixed-length digests leaks not even the token's length.
    token_digest: Option<[u8; 32]>,
    hmac_secret: Option<Vec<u8>>,
    max_skew: Duration,
    seen: Mutex<HashMap<[u8; 32], i64>>,
}

impl Auth {
    pub fn new(config: &AuthConfig) -> Self {
        Self {
            token_digest: config
                .token
                .as_ref()
                .map(|token| Sha256::digest(token.trim().as_bytes()).into()),
            hmac_secret: config.hmac_secret.clone(),
            max_skew: config.max_skew.unwrap_or(DEFAULT_MAX_SKEW),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Checks the bearer token, before the body is read.
    pub fn check_token(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let Some(expected) = &self.token_digest else {
            return Ok(());
        };
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, token) = value.trim().split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then_some(token.trim())
            })
            .ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
        let digest: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        if bool::from(digest.ct_eq(expected)) {
            Ok(())
        } else {
            Err(ApiError::unauthorized("wrong bearer token"))
        }
    }

    /// Checks the HMAC signature over the body, once the body is read.
    pub fn check_signature(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
        let Some(secret) = &self.hmac_secret else {
            return Ok(());
        };
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::trim)
        };
        let timestamp = header(TIMESTAMP_HEADER)
            .ok_or_else(|| ApiError::unauthorized("missing X-Folio-Timestamp"))?;
        let signature = header(SIGNATURE_HEADER)
            .ok_or_else(|| ApiError::unauthorized("missing X-Folio-Signature"))?;
        let seconds: i64 = timestamp
            .parse()
            .map_err(|_| ApiError::unauthorized("X-Folio-Timestamp is not Unix seconds"))?;
        let now = unix_now();
        let skew = self.max_skew.as_secs() as i64;
        if (now - seconds).abs() > skew {
            return Err(ApiError::unauthorized(
                "X-Folio-Timestamp is too far from the server's clock",
            ));
        }
        let signature = signature.strip_prefix("sha256=").unwrap_or(signature);
        let signature: [u8; 32] = decode_hex(signature)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| ApiError::unauthorized("X-Folio-Signature is not 64 hex digits"))?;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(timestamp.as_bytes());
        mac.update(b"\n");
        mac.update(hex(&Sha256::digest(body)).as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| ApiError::unauthorized("wrong signature"))?;
        self.remember(signature, seconds, now)
    }

    /// Records a verified signature; a second use within the window is a replay.
    fn remember(&self, signature: [u8; 32], timestamp: i64, now: i64) -> Result<(), ApiError> {
        let skew = self.max_skew.as_secs() as i64;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.contains_key(&signature) {
            return Err(ApiError::unauthorized("replayed signature"));
        }
        if seen.len() >= REPLAY_CACHE_CAPACITY {
            seen.retain(|_, at| (now - *at).abs() <= skew);
            if seen.len() >= REPLAY_CACHE_CAPACITY {
                return Err(ApiError::busy(
                    "too many signed requests in the replay window",
                ));
            }
        }
        seen.insert(signature, timestamp);
        Ok(())
    }
}

/// The signature a client sends for `body` at `timestamp` (for clients and tests).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b"\n");
    mac.update(hex(&Sha256::digest(body)).as_bytes());
    hex(&mac.finalize().into_bytes())
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_headers(timestamp: i64, signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(TIMESTAMP_HEADER, timestamp.to_string().parse().unwrap());
        headers.insert(SIGNATURE_HEADER, signature.parse().unwrap());
        headers
    }

    fn auth() -> Auth {
        Auth::new(&AuthConfig {
            hmac_secret: Some(b"0123456789abcdef".to_vec()),
            ..AuthConfig::default()
        })
    }

    #[test]
    fn a_signature_is_accepted_once() {
        let auth = auth();
        let now = unix_now();
        let headers = signed_headers(now, &sign(b"0123456789abcdef", now, b"body"));
        assert!(auth.check_signature(&headers, b"body").is_ok());
        assert!(auth.check_signature(&headers, b"body").is_err());
    }

    #[test]
    fn another_body_or_secret_fails() {
        let auth = auth();
        let now = unix_now();
        let headers = signed_headers(now, &sign(b"0123456789abcdef", now, b"body"));
        assert!(auth.check_signature(&headers, b"other").is_err());
        let headers = signed_headers(now, &sign(b"fedcba9876543210", now, b"body"));
        assert!(auth.check_signature(&headers, b"body").is_err());
    }

    #[test]
    fn stale_and_future_timestamps_fail() {
        let auth = auth();
        for at in [unix_now() - 301, unix_now() + 301] {
            let headers = signed_headers(at, &sign(b"0123456789abcdef", at, b"body"));
            assert!(auth.check_signature(&headers, b"body").is_err());
        }
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(decode_hex(&hex(&[0, 15, 255])), Some(vec![0, 15, 255]));
        assert_eq!(decode_hex("abc"), None);
        assert_eq!(decode_hex("zz"), None);
    }
}
