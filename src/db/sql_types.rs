//! How domain types are stored: keyword enums as `TEXT`, ids as `BIGINT`, on both backends.
//!
//! A value the code does not know (a status no migration should have written) is a loud error
//! when the row is read, never a silent default.

use crate::domain;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{BigInt, Text};

/// Maps a type with `as_str(self) -> &'static str` and `parse(&str) -> Option<Self>` to `TEXT`.
macro_rules! keyword_column {
    ($($ty:ty),+ $(,)?) => {$(
        const _: () = {
            #[derive(diesel::AsExpression, diesel::FromSqlRow)]
            #[diesel(foreign_derive, sql_type = Text)]
            #[allow(dead_code)]
            struct Stored($ty);
        };

        impl<DB> ToSql<Text, DB> for $ty
        where
            DB: Backend,
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB> FromSql<Text, DB> for $ty
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let keyword = String::from_sql(bytes)?;
                <$ty>::parse(&keyword).ok_or_else(|| {
                    format!("unknown {} `{keyword}` in the database", stringify!($ty)).into()
                })
            }
        }
    )+};
}

/// Maps an id newtype to `BIGINT`.
macro_rules! id_column {
    ($($ty:ty),+ $(,)?) => {$(
        const _: () = {
            #[derive(diesel::AsExpression, diesel::FromSqlRow)]
            #[diesel(foreign_derive, sql_type = BigInt)]
            #[allow(dead_code)]
            struct Stored($ty);
        };

        impl<DB> ToSql<BigInt, DB> for $ty
        where
            DB: Backend,
            i64: ToSql<BigInt, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB> FromSql<BigInt, DB> for $ty
        where
            DB: Backend,
            i64: FromSql<BigInt, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                i64::from_sql(bytes).map(Self)
            }
        }
    )+};
}

keyword_column!(
    domain::CaseStatus,
    domain::status::ClosedReason,
    domain::Platform,
    domain::Category,
    domain::Lang,
    domain::officer::Role,
    domain::outcome::Outcome,
    domain::audit::AuditAction,
    domain::audit::ActorKind,
    domain::mail_kind::MailKind,
    domain::email_token::TokenPurpose,
    domain::regulator::RegulatorKind,
    domain::original::OriginalRequestStatus,
    domain::evidence::EvidenceSource,
    domain::evidence::ImageKind,
    domain::login::AttemptOutcome,
    domain::calendar_file::Origin,
    domain::jobs::JobState,
    domain::jobs::JobKind,
    domain::jobs::StoredJobKind,
    domain::account::AccountAction,
    domain::account::LinkPurpose,
    domain::contact::ContactKind,
    domain::links::LinkVerdict,
    domain::ocr::OcrState,
    domain::campaign::CampaignEventAction,
    domain::platform_desk::DeskKind,
    domain::record::RecordStatus,
    domain::platform_notice::PlatformResponse,
    domain::rate_limit::LimitedAction,
);

id_column!(
    domain::ids::CaseId,
    domain::ids::OfficerId,
    domain::ids::EvidenceId,
    domain::ids::HandoffId,
    domain::ids::RegulatorId,
    domain::ids::MailId,
    domain::ids::NoteId,
    domain::ids::OriginalRequestId,
    domain::ids::DeviceId,
    domain::ids::CampaignId,
    domain::ids::CampaignHandoffId,
    domain::ids::PlatformDeskId,
    domain::ids::RecordEntryId,
    domain::ids::RecordCorrectionId,
    domain::ids::PlatformNoticeId,
);

#[cfg(test)]
mod tests {
    use crate::domain::officer::Role;
    use crate::domain::outcome::Outcome;
    use crate::domain::status::ClosedReason;
    use crate::domain::{CaseStatus, Lang};
    use std::collections::BTreeSet;

    const CHECKS: [&str; 2] = [
        include_str!("../../migrations/sqlite/2026-12-02-000011_closed_sets/up.sql"),
        include_str!("../../migrations/postgres/2026-12-02-000011_closed_sets/up.sql"),
    ];

    /// The keywords a named CHECK constraint allows: `name CHECK (column IN ('a', 'b'))`.
    fn allowed(sql: &str, constraint: &str) -> BTreeSet<String> {
        let start = sql.find(constraint).expect("the constraint is there");
        let rest = &sql[start..];
        let list = &rest[rest.find(" IN (").expect("an IN list") + 5..];
        let list = &list[..list.find(')').expect("the list ends")];
        list.split(',')
            .map(|k| k.trim().trim_matches('\'').to_string())
            .collect()
    }

    fn keywords<T: Copy>(
        all: impl IntoIterator<Item = T>,
        kw: fn(T) -> &'static str,
    ) -> BTreeSet<String> {
        all.into_iter().map(|v| kw(v).to_string()).collect()
    }

    #[test]
    fn the_database_checks_allow_exactly_the_keywords_of_the_closed_sets() {
        for sql in CHECKS {
            let status = keywords(CaseStatus::ALL.iter().copied(), CaseStatus::as_str);
            assert_eq!(allowed(sql, "cases_status_known"), status);
            let langs = keywords(Lang::ALL, Lang::as_str);
            assert_eq!(allowed(sql, "cases_language_known"), langs);
            let reasons = keywords(ClosedReason::all(), ClosedReason::as_str);
            assert_eq!(allowed(sql, "cases_closed_reason_known"), reasons);
            let roles = keywords(Role::ALL.iter().copied(), Role::as_str);
            assert_eq!(allowed(sql, "officers_role_known"), roles);
            let outcomes = keywords(Outcome::ALL.iter().copied(), Outcome::as_str);
            assert_eq!(allowed(sql, "handoffs_outcome_known"), outcomes);
        }
    }

    #[test]
    fn every_closed_reason_reads_back_as_itself() {
        for r in ClosedReason::all() {
            assert_eq!(ClosedReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(ClosedReason::parse("商家已整改"), None);
    }
}
