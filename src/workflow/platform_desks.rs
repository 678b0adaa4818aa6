//! The platform desk directory, kept by supervisors: whose governance desk a case's notice goes
//! to, and the search engines' complaint desks.

use super::{ActingOfficer, WorkflowError};
use crate::db::{self, DbConnection, platform_desks};
use crate::domain::ids::PlatformDeskId;
use crate::domain::platform_desk::DeskScope;

/// A desk as the directory's form gives it: new without an `id`.
#[derive(Debug, Clone, Copy)]
pub struct DeskEntry<'a> {
    pub id: Option<PlatformDeskId>,
    pub kind: &'a str,
    pub platform: &'a str,
    pub domain: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub active: bool,
}

/// Adds a desk, or changes one. A supervisor's step; an entry that cannot be right is refused
/// with the key of what is wrong with it.
pub fn save_desk(
    conn: &mut DbConnection,
    officer: ActingOfficer,
    entry: &DeskEntry<'_>,
) -> Result<PlatformDeskId, WorkflowError> {
    officer.require_supervisor()?;
    let name = entry.name.trim();
    let email = entry.email.trim().to_lowercase();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(WorkflowError::Invalid("desk.bad_name"));
    }
    let scope = DeskScope::parse(entry.kind, entry.platform, entry.domain)
        .ok_or(WorkflowError::Invalid("desk.bad_scope"))?;
    if email.parse::<lettre::Address>().is_err() {
        return Err(WorkflowError::Invalid("desk.bad_email"));
    }
    let (platform, domain) = scope.columns();
    let fields = platform_desks::DeskFields {
        kind: scope.kind(),
        platform,
        domain,
        name,
        email: &email,
        active: entry.active,
    };
    let id = db::write_transaction(conn, |conn| match entry.id {
        Some(id) => {
            if platform_desks::update(conn, id, &fields)? == 0 {
                return Err(WorkflowError::Invalid("desk.unknown"));
            }
            Ok(id)
        }
        None => Ok(platform_desks::insert(conn, &fields, db::now())?),
    })?;
    tracing::info!(officer = %officer.id, desk = %id, "platform desk directory changed");
    Ok(id)
}
