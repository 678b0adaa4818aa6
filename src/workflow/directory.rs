//! The regulator directory, kept by supervisors: who receives handoffs for which region, and
//! where each platform's operator is registered.

use super::{ActingOfficer, WorkflowError};
use crate::db::{self, DbConnection, regulators};
use crate::domain::RegulatorId;
use crate::domain::regulator::RegulatorKind;
use crate::domain::{Platform, RegionCode};

/// A regulator as the directory's form gives it: new without an `id`.
#[derive(Debug, Clone, Copy)]
pub struct RegulatorEntry<'a> {
    pub id: Option<RegulatorId>,
    pub name: &'a str,
    pub kind: &'a str,
    pub region_code: &'a str,
    pub email: &'a str,
    pub active: bool,
}

/// Adds a regulator, or changes one. A supervisor's step; an entry that cannot be right is
/// refused with the key of what is wrong with it.
pub fn save_regulator(
    conn: &mut DbConnection,
    officer: ActingOfficer,
    entry: &RegulatorEntry<'_>,
) -> Result<(), WorkflowError> {
    officer.require_supervisor()?;
    let name = entry.name.trim().to_string();
    let email = entry.email.trim().to_lowercase();
    let region = entry.region_code.trim();
    let kind = RegulatorKind::parse(entry.kind);
    let problem = if name.is_empty() || name.chars().count() > 200 {
        Some("directory.bad_name")
    } else if kind.is_none() {
        Some("directory.bad_kind")
    } else if email.parse::<lettre::Address>().is_err() {
        Some("directory.bad_email")
    } else if !region.is_empty() && RegionCode::parse(region).is_none() {
        Some("directory.bad_region")
    } else {
        None
    };
    let kind = match (kind, problem) {
        (Some(kind), None) => kind,
        (_, problem) => {
            return Err(WorkflowError::Invalid(
                problem.unwrap_or("directory.bad_kind"),
            ));
        }
    };
    let region = RegionCode::parse(region).map(|c| c.to_string());
    let fields = regulators::RegulatorFields {
        name: &name,
        kind,
        region_code: region.as_deref(),
        email: &email,
        active: entry.active,
    };
    match entry.id {
        Some(id) => {
            regulators::update(conn, id, &fields)?;
        }
        None => {
            regulators::insert(conn, &fields, db::now())?;
        }
    }
    tracing::info!(officer = %officer.id, regulator = ?entry.id, "regulator directory changed");
    Ok(())
}

/// Records where a platform's operator is registered (its regulators are proposed for cases
/// against shops on it). A supervisor's step.
pub fn save_domicile(
    conn: &mut DbConnection,
    officer: ActingOfficer,
    platform: &str,
    operator_name: &str,
    region_code: &str,
) -> Result<(), WorkflowError> {
    officer.require_supervisor()?;
    let (Some(platform), Some(region)) =
        (Platform::parse(platform), RegionCode::parse(region_code))
    else {
        return Err(WorkflowError::Invalid("directory.bad_region"));
    };
    let operator: String = operator_name.trim().chars().take(200).collect();
    regulators::set_domicile(conn, platform, &operator, region.as_str())?;
    tracing::info!(
        officer = %officer.id,
        platform = platform.as_str(),
        "platform domicile changed"
    );
    Ok(())
}
