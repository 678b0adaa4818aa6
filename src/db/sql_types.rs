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
);
