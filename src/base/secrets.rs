//! Secrets at rest: values encrypted with ChaCha20-Poly1305 under a key kept outside the
//! database: `FLOTILLA_SECRET_KEY` (base64 of 32 bytes) when set, else `<data dir>/secret.key`
//! (mode 0600, created on first use). What this prevents is a secret leaking through a copy of
//! the database, a backup of it, or a screenshot of the UI. `rotate_key` re-encrypts every
//! stored secret under a new key in one transaction.

use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use std::path::Path;

const PREFIX: &str = "v1:";
/// The environment variable that holds the key (base64), instead of the key file.
pub const KEY_ENV: &str = "FLOTILLA_SECRET_KEY";
const KEY_FILE: &str = "secret.key";
/// A rotation's new key, until the database holds secrets under it.
const NEW_KEY_FILE: &str = "secret.key.new";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot read or create the secret key {path}: {source}")]
    Key {
        path: String,
        source: std::io::Error,
    },
    #[error("a stored secret cannot be decrypted (wrong key or damaged value)")]
    Decrypt,
    #[error("{KEY_ENV} must be the base64 of 32 bytes")]
    BadEnvKey,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

#[derive(Clone)]
pub struct SecretBox {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)") // never the key
    }
}

/// Where the key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    File,
}

fn write_key_file(path: &Path, key: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(key)?;
    file.sync_all()
}

impl SecretBox {
    fn from_key(key: &[u8]) -> Option<Self> {
        ChaCha20Poly1305::new_from_slice(key)
            .ok()
            .map(|cipher| SecretBox { cipher })
    }

    /// Where [`SecretBox::open`] takes the key from.
    pub fn source() -> KeySource {
        match std::env::var_os(KEY_ENV) {
            Some(v) if !v.is_empty() => KeySource::Environment,
            _ => KeySource::File,
        }
    }

    /// Loads the key from `FLOTILLA_SECRET_KEY`, else from `<data_dir>/secret.key` (creating it
    /// if there is none).
    pub fn open(data_dir: &Path) -> Result<Self, SecretError> {
        if Self::source() == KeySource::Environment {
            let value = std::env::var(KEY_ENV).map_err(|_| SecretError::BadEnvKey)?;
            let key = base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .map_err(|_| SecretError::BadEnvKey)?;
            if key.len() != 32 {
                return Err(SecretError::BadEnvKey);
            }
            return Self::from_key(&key).ok_or(SecretError::BadEnvKey);
        }
        let path = data_dir.join(KEY_FILE);
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
                write_key_file(&path, &key).map_err(err)?;
                key
            }
            Err(e) => return Err(err(e)),
        };
        Self::from_key(&key).ok_or_else(|| {
            err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the key is not usable",
            ))
        })
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

/// Every encrypted value in the database: (table, key column(s) as one SQL expression, value
/// column). Project secrets and instances' own environments.
const SEALED: &[(&str, &str, &str, &str)] = &[
    (
        "project_env",
        "project_id || '/' || name",
        "value",
        "secret = TRUE",
    ),
    ("instances", "id", "env_json", "env_json LIKE 'v1:%'"),
];

/// What a rotation did.
#[derive(Debug)]
pub struct Rotation {
    pub reencrypted: usize,
    /// The new key in base64, when the key comes from the environment (the operator must put
    /// it there before the next start).
    pub new_env_key: Option<String>,
}

/// Re-encrypts every stored secret under a new key, in one transaction, then makes the new key
/// the one in use. A crash at any point leaves a key that opens every secret (see
/// [`finish_interrupted_rotation`]). The server must not be running.
pub async fn rotate_key(data_dir: &Path, db: &sqlx::SqlitePool) -> Result<Rotation, SecretError> {
    let old = SecretBox::open(data_dir)?;
    let key = ChaCha20Poly1305::generate_key(&mut OsRng).to_vec();
    let new = SecretBox::from_key(&key).ok_or(SecretError::Decrypt)?;
    let source = SecretBox::source();
    let new_path = data_dir.join(NEW_KEY_FILE);
    let io = |source| SecretError::Key {
        path: new_path.display().to_string(),
        source,
    };
    if source == KeySource::File {
        let _ = std::fs::remove_file(&new_path);
        write_key_file(&new_path, &key).map_err(io)?;
    }
    let mut tx = db.begin().await?;
    let mut reencrypted = 0;
    for (table, id, column, filter) in SEALED {
        let rows: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {id}, {column} FROM {table} WHERE {filter}"
        )))
        .fetch_all(&mut *tx)
        .await?;
        for (row_id, sealed) in rows {
            let plain = old.decrypt(&sealed)?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET {column} = $1 WHERE {id} = $2"
            )))
            .bind(new.encrypt(&plain))
            .bind(&row_id)
            .execute(&mut *tx)
            .await?;
            reencrypted += 1;
        }
    }
    tx.commit().await?;
    let new_env_key = match source {
        KeySource::File => {
            std::fs::rename(&new_path, data_dir.join(KEY_FILE)).map_err(io)?;
            if let Ok(dir) = std::fs::File::open(data_dir) {
                let _ = dir.sync_all();
            }
            None
        }
        KeySource::Environment => Some(base64::engine::general_purpose::STANDARD.encode(&key)),
    };
    Ok(Rotation {
        reencrypted,
        new_env_key,
    })
}

/// After a crash during [`rotate_key`]: if the new key opens the stored secrets the database
/// was committed, so the new key becomes the key; otherwise it is thrown away.
pub async fn finish_interrupted_rotation(
    data_dir: &Path,
    db: &sqlx::SqlitePool,
) -> Result<(), SecretError> {
    let new_path = data_dir.join(NEW_KEY_FILE);
    let Ok(key) = std::fs::read(&new_path) else {
        return Ok(());
    };
    let io = |source| SecretError::Key {
        path: new_path.display().to_string(),
        source,
    };
    let sample: Option<String> =
        sqlx::query_scalar("SELECT value FROM project_env WHERE secret = TRUE LIMIT 1")
            .fetch_optional(db)
            .await?;
    let committed = match (SecretBox::from_key(&key), sample) {
        (Some(new), Some(sealed)) => new.decrypt(&sealed).is_ok(),
        _ => false,
    };
    if committed {
        std::fs::rename(&new_path, data_dir.join(KEY_FILE)).map_err(io)?;
        tracing::warn!("finished a key rotation that was interrupted");
    } else {
        std::fs::remove_file(&new_path).map_err(io)?;
    }
    Ok(())
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

    #[tokio::test]
    async fn rotation_reencrypts_every_secret_in_one_go() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::base::db::open(&dir.path().join("t.db"))
            .await
            .unwrap();
        let before = SecretBox::open(dir.path()).unwrap();
        sqlx::query(
            "INSERT INTO projects (id, name, path, worktree_root, created_at, updated_at)              VALUES ('p', 'p', '/p', '/w', 0, 0)",
        )
        .execute(&db)
        .await
        .unwrap();
        for (name, value, secret) in [
            ("TOKEN", before.encrypt("s3cret"), true),
            ("PLAIN", "x".into(), false),
        ] {
            sqlx::query("INSERT INTO project_env (project_id, name, value, secret) VALUES ('p', $1, $2, $3)")
                .bind(name)
                .bind(value)
                .bind(secret)
                .execute(&db)
                .await
                .unwrap();
        }
        let outcome = rotate_key(dir.path(), &db).await.unwrap();
        assert_eq!(outcome.reencrypted, 1);
        assert!(outcome.new_env_key.is_none());
        assert!(!dir.path().join(NEW_KEY_FILE).exists());
        let after = SecretBox::open(dir.path()).unwrap();
        let sealed: String =
            sqlx::query_scalar("SELECT value FROM project_env WHERE name = 'TOKEN'")
                .fetch_one(&db)
                .await
                .unwrap();
        assert_eq!(after.decrypt(&sealed).unwrap(), "s3cret");
        assert!(
            before.decrypt(&sealed).is_err(),
            "the old key no longer opens it"
        );
        let plain: String =
            sqlx::query_scalar("SELECT value FROM project_env WHERE name = 'PLAIN'")
                .fetch_one(&db)
                .await
                .unwrap();
        assert_eq!(plain, "x");
        // A new key left behind by a crash before the commit is thrown away...
        write_key_file(&dir.path().join(NEW_KEY_FILE), &[7u8; 32]).unwrap();
        finish_interrupted_rotation(dir.path(), &db).await.unwrap();
        assert!(!dir.path().join(NEW_KEY_FILE).exists());
        assert_eq!(
            SecretBox::open(dir.path())
                .unwrap()
                .decrypt(&sealed)
                .unwrap(),
            "s3cret"
        );
    }

    #[test]
    fn masking_never_shows_the_value() {
        assert_eq!(mask("short"), "••••••");
        assert_eq!(mask("ghp_abcdefghijkl12"), "••••••12");
    }
}
