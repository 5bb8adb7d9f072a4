//! API tokens: created (the secret shown once, only its digest kept), listed with their last
//! use, rotated with an overlap, revoked at once.

use super::audit::{complete_in, AuditId};
use super::secret::{digest, new_token};
use super::service::{Auth, Identity};
use super::store::{self, TokenRecord};
use super::types::{validate_token_name, CreateToken, NewToken, TokenInfo, TokenScope};
use crate::base::clock::{format_ts, now_ms};
use crate::base::error::DomainError;

/// The default overlap of a rotation: the old secret works one more hour.
pub const DEFAULT_OVERLAP_SECS: u64 = 3600;
/// The longest overlap and expiry accepted.
const MAX_OVERLAP_SECS: u64 = 30 * 24 * 3600;
const MAX_EXPIRY_DAYS: u32 = 3650;

fn info(t: TokenRecord, now: i64) -> TokenInfo {
    TokenInfo {
        scope: TokenScope::parse(&t.scope).unwrap_or(TokenScope::Read),
        created_at: format_ts(t.created_at),
        rotated_at: t.rotated_at.map(format_ts),
        previous_valid_until: t
            .previous_valid_until
            .filter(|until| *until > now && t.previous_hash.is_some())
            .map(format_ts),
        last_used_at: t.last_used_at.map(format_ts),
        last_used_ip: t.last_used_ip,
        expires_at: t.expires_at.map(format_ts),
        revoked_at: t.revoked_at.map(format_ts),
        expired: t.expires_at.is_some_and(|e| e <= now),
        id: t.id,
        name: t.name,
    }
}

impl Auth {
    /// Creates a token. `identity` is `None` for the command line (whoever can run it on the
    /// server's data directory is the owner).
    pub async fn create_token(
        &self,
        identity: Option<&Identity>,
        request: CreateToken,
        audit: Option<AuditId>,
    ) -> Result<NewToken, DomainError> {
        if let Some(identity) = identity {
            self.require_owner(identity)?;
        }
        let name = request.name.trim().to_string();
        validate_token_name(&name).map_err(DomainError::Invalid)?;
        if request.expires_in_days == Some(0) || request.expires_in_days > Some(MAX_EXPIRY_DAYS) {
            return Err(DomainError::Invalid(format!(
                "expires_in_days must be between 1 and {MAX_EXPIRY_DAYS}"
            )));
        }
        let now = now_ms();
        let record = TokenRecord {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.clone(),
            scope: request.scope.as_str().to_string(),
            previous_hash: None,
            previous_valid_until: None,
            created_at: now,
            rotated_at: None,
            last_used_at: None,
            last_used_ip: None,
            expires_at: request
                .expires_in_days
                .map(|d| now + i64::from(d) * 24 * 3600 * 1000),
            revoked_at: None,
        };
        let token = new_token();
        let mut tx = self.db.begin().await?;
        // A revoked token gives its name up (its history stays in the audit log).
        let live: Option<String> =
            sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = $1 AND revoked_at IS NULL")
                .bind(&name)
                .fetch_optional(&mut *tx)
                .await?;
        if live.is_some() {
            return Err(DomainError::Conflict(format!(
                "a token named {name:?} exists; revoke it or choose another name"
            )));
        }
        sqlx::query("DELETE FROM api_tokens WHERE name = $1 AND revoked_at IS NOT NULL")
            .bind(&name)
            .execute(&mut *tx)
            .await?;
        store::insert_token(&mut tx, &record, &digest(&token)).await?;
        complete_in(&mut tx, audit, 201, None).await?;
        tx.commit().await?;
        Ok(NewToken {
            token,
            info: info(record, now),
        })
    }

    pub async fn tokens(&self, identity: Option<&Identity>) -> Result<Vec<TokenInfo>, DomainError> {
        if let Some(identity) = identity {
            self.require_owner(identity)?;
        }
        let now = now_ms();
        Ok(store::tokens(&self.db)
            .await?
            .into_iter()
            .map(|t| info(t, now))
            .collect())
    }

    async fn live_token(&self, key: &str) -> Result<TokenRecord, DomainError> {
        match store::token_by_id_or_name(&self.db, key).await? {
            Some(t) if t.revoked_at.is_none() => Ok(t),
            Some(_) => Err(DomainError::Conflict(format!("the token {key} is revoked"))),
            None => Err(DomainError::NotFound(format!("no token {key}"))),
        }
    }

    /// Revokes a token (by id or name): refused from the next request on.
    pub async fn revoke_token(
        &self,
        identity: Option<&Identity>,
        key: &str,
        audit: Option<AuditId>,
    ) -> Result<TokenInfo, DomainError> {
        if let Some(identity) = identity {
            self.require_owner(identity)?;
        }
        let token = self.live_token(key).await?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        store::revoke_token(&mut tx, &token.id, now).await?;
        complete_in(&mut tx, audit, 200, None).await?;
        tx.commit().await?;
        let revoked = store::token_by_id_or_name(&self.db, &token.id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no token {key}")))?;
        Ok(info(revoked, now))
    }

    /// Gives a token a new secret; the old one keeps working for `overlap_secs`, so a script
    /// can switch without a gap.
    pub async fn rotate_token(
        &self,
        identity: Option<&Identity>,
        key: &str,
        overlap_secs: Option<u64>,
        audit: Option<AuditId>,
    ) -> Result<NewToken, DomainError> {
        if let Some(identity) = identity {
            self.require_owner(identity)?;
        }
        let overlap = overlap_secs.unwrap_or(DEFAULT_OVERLAP_SECS);
        if overlap > MAX_OVERLAP_SECS {
            return Err(DomainError::Invalid(format!(
                "the overlap may be at most {MAX_OVERLAP_SECS} seconds"
            )));
        }
        let current = self.live_token(key).await?;
        let token = new_token();
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        store::rotate_token(
            &mut tx,
            &current.id,
            &digest(&token),
            now,
            now + overlap as i64 * 1000,
        )
        .await?;
        complete_in(&mut tx, audit, 200, None).await?;
        tx.commit().await?;
        let rotated = store::token_by_id_or_name(&self.db, &current.id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no token {key}")))?;
        Ok(NewToken {
            token,
            info: info(rotated, now),
        })
    }
}
