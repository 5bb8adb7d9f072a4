//! Secrets at rest: values encrypted with ChaCha20-Poly1305 under a key that lives in the data
//! directory (`secret.key`, mode 0600, created on first use). Whoever can read the data
//! directory can read the secrets; what this prevents is a secret leaking through a copy of the
//! database, a backup of it, or a screenshot of the UI.

use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use std::path::Path;

const PREFIX: &str = "v1:";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot read or create the secret key {path}: {source}")]
    Key {
        path: String,
        source: std::io::Error,
    },
    #[error("a stored secret cannot be decrypted (wrong key or damaged value)")]
    Decrypt,
}

#[derive(Clone)]
pub struct SecretBox {
    cipher: ChaCha20Poly1305,
}

impl SecretBox {
    /// Loads the key from `<data_dir>/secret.key`, creating it if there is none.
    pub fn open(data_dir: &Path) -> Result<Self, SecretError> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let path = data_dir.join("secret.key");
        let err = |source| SecretError::Key {
            path: path.display().to_string(),
            source,
        };
        let key = match std::fs::read(&path) {
            Ok(bytes) if bytes.len() == 32 => bytes,
            Ok(_) => {
                return Err(err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the key file is not 32 bytes",
                )))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = ChaCha20Poly1305::generate_key(&mut OsRng).to_vec();
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .map_err(err)?;
                file.write_all(&key).map_err(err)?;
                file.sync_all().map_err(err)?;
                key
            }
            Err(e) => return Err(err(e)),
        };
        let cipher = ChaCha20Poly1305::new_from_slice(&key).map_err(|_| {
            err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the key is not usable",
            ))
        })?;
        Ok(SecretBox { cipher })
    }

    pub fn encrypt(&self, plaintext: &str) -> String {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encrypting into a Vec cannot fail for a valid key.
        let ciphertext = self
            .cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .unwrap_or_default();
        let mut blob = nonce.to_vec();
        blob.extend(ciphertext);
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(blob)
        )
    }

    pub fn decrypt(&self, stored: &str) -> Result<String, SecretError> {
        let blob = stored
            .strip_prefix(PREFIX)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .filter(|b| b.len() > 12)
            .ok_or(SecretError::Decrypt)?;
        let (nonce, ciphertext) = blob.split_at(12);
        let mut nonce_array = Nonce::default();
        nonce_array.copy_from_slice(nonce);
        let nonce = nonce_array;
        let plain = self
            .cipher
            .decrypt(&nonce, ciphertext)
            .map_err(|_| SecretError::Decrypt)?;
        String::from_utf8(plain).map_err(|_| SecretError::Decrypt)
    }
}

/// How a secret is shown: never in full; the last two characters of a long one help tell keys
/// apart.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() >= 12 {
        format!(
            "••••••{}",
            chars[chars.len() - 2..].iter().collect::<String>()
        )
    } else {
        "••••••".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_key_persistence() {
        let dir = tempfile::tempdir().unwrap();
        let sealed = {
            let b = SecretBox::open(dir.path()).unwrap();
            b.encrypt("ghp_secret_token_123")
        };
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("ghp_"));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("secret.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // A second open reads the same key.
        let again = SecretBox::open(dir.path()).unwrap();
        assert_eq!(again.decrypt(&sealed).unwrap(), "ghp_secret_token_123");
        // Same plaintext, different ciphertext (fresh nonce).
        assert_ne!(again.encrypt("x"), again.encrypt("x"));
        assert!(again.decrypt("v1:AAAA").is_err());
        let other = tempfile::tempdir().unwrap();
        assert!(SecretBox::open(other.path())
            .unwrap()
            .decrypt(&sealed)
            .is_err());
    }

    #[test]
    fn masking_never_shows_the_value() {
        assert_eq!(mask("short"), "••••••");
        assert_eq!(mask("ghp_abcdefghijkl12"), "••••••12");
    }
}
