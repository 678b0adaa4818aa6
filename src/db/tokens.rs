//! The `email_tokens` table: single-use secrets sent by email (confirmation links), stored hashed.

use super::DbConnection;
use super::schema::email_tokens;
use crate::domain::email_token::TokenPurpose;
use crate::domain::ids::CaseId;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_tokens)]
pub struct TokenRow {
    pub id: i64,
    pub token_hash: String,
    pub case_id: CaseId,
    pub purpose: TokenPurpose,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// A new random token (256 bits, URL-safe) and the hash that is stored.
pub fn generate() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn insert(
    conn: &mut DbConnection,
    case_id: CaseId,
    purpose: TokenPurpose,
    token_hash: &str,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(email_tokens::table)
        .values((
            email_tokens::token_hash.eq(token_hash),
            email_tokens::case_id.eq(case_id),
            email_tokens::purpose.eq(purpose),
            email_tokens::created_at.eq(created_at),
            email_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(
    conn: &mut DbConnection,
    purpose: TokenPurpose,
    token: &str,
) -> QueryResult<Option<TokenRow>> {
    email_tokens::table
        .filter(email_tokens::token_hash.eq(hash_token(token)))
        .filter(email_tokens::purpose.eq(purpose))
        .select(TokenRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a token used; false if it already was (someone else used it first).
pub fn mark_used(conn: &mut DbConnection, token_id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        email_tokens::table
            .filter(email_tokens::id.eq(token_id))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(Some(at)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Ends every unexpired token of `purpose` on a case (its case links, once the case is over).
pub fn expire_all_for_case(
    conn: &mut DbConnection,
    case_id: CaseId,
    purpose: TokenPurpose,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        email_tokens::table
            .filter(email_tokens::case_id.eq(case_id))
            .filter(email_tokens::purpose.eq(purpose))
            .filter(email_tokens::expires_at.gt(now)),
    )
    .set(email_tokens::expires_at.eq(now))
    .execute(conn)
}
