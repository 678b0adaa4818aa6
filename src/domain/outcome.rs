//! What a regulator did with a handed-off case.

use super::keyword::keyword_enum;

keyword_enum! {
    pub enum Outcome {
        Penalty => "penalty",
        WarningOrCorrection => "warning",
        Transferred => "transferred",
        NoViolation => "no_violation",
        Other => "other",
    }
}
