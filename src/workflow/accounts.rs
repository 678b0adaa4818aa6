//! Creating officer accounts (the `reviewwatch officer add` command and the demo data).

use crate::db::{self, DbPool, officers};
use crate::domain::OfficerId;
use crate::domain::officer::{NewPassword, Role};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0} is not an email address")]
    BadEmail(String),
    #[error("the name must not be empty")]
    NoName,
    #[error("the role must be officer or supervisor")]
    BadRole,
    #[error(transparent)]
    Password(#[from] crate::domain::officer::PasswordError),
    #[error("an officer with the email {0} exists already")]
    Exists(String),
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Db(#[from] db::DbError),
}

pub async fn add_officer(
    pool: &DbPool,
    email: &str,
    name: &str,
    role: &str,
    password: &str,
) -> Result<OfficerId, AccountError> {
    let email = email.trim().to_lowercase();
    if email.parse::<lettre::Address>().is_err() {
        return Err(AccountError::BadEmail(email));
    }
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(AccountError::NoName);
    }
    let role = Role::parse(role).ok_or(AccountError::BadRole)?;
    let hash = NewPassword::parse(password)?
        .hash()
        .map_err(|e| AccountError::Hash(e.to_string()))?;
    db::run_with(pool, move |conn| {
        if officers::find_by_email(conn, &email)
            .map_err(db::DbError::from)?
            .is_some()
        {
            return Err(AccountError::Exists(email));
        }
        let now = db::now();
        let id = officers::insert(
            conn,
            &officers::NewOfficer {
                email: &email,
                name: &name,
                role,
                password_hash: &hash,
                active: true,
                created_at: now,
                password_changed_at: now,
            },
        )
        .map_err(db::DbError::from)?;
        Ok(id)
    })
    .await
}
