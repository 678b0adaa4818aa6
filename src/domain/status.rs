//! The case lifecycle: every status, and the one state machine every change goes through.

use super::keyword::keyword_enum;
use super::outcome::Outcome;

keyword_enum! {
    /// Where a case stands (DESIGN.md "Case lifecycle"). The keyword is the machine status name.
    pub enum CaseStatus {
        Unconfirmed => "unconfirmed",
        Submitted => "submitted",
        InReview => "in_review",
        AwaitingReporter => "awaiting_reporter",
        Substantiated => "substantiated",
        HandedOff => "handed_off",
        Acknowledged => "acknowledged",
        Closed => "closed",
        Dismissed => "dismissed",
        Withdrawn => "withdrawn",
    }
}

keyword_enum! {
    /// Why an officer dismissed a case.
    pub enum DismissReason {
        InsufficientEvidence => "insufficient_evidence",
        Duplicate => "duplicate",
        OutOfScope => "out_of_scope",
        Spam => "spam",
    }
}

/// Why a case ended, kept on the case: the dismissal's reason, the regulator's outcome, or an
/// officer closing it (their note is on the case's notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClosedReason {
    Dismissed(DismissReason),
    Outcome(Outcome),
    ClosedByOfficer,
}

impl ClosedReason {
    const CLOSED_BY_OFFICER: &'static str = "closed_by_officer";

    /// The stored keyword: the reason's or the outcome's own (the two sets do not overlap).
    pub fn as_str(self) -> &'static str {
        match self {
            ClosedReason::Dismissed(r) => r.as_str(),
            ClosedReason::Outcome(o) => o.as_str(),
            ClosedReason::ClosedByOfficer => Self::CLOSED_BY_OFFICER,
        }
    }

    pub fn parse(keyword: &str) -> Option<Self> {
        if keyword == Self::CLOSED_BY_OFFICER {
            return Some(ClosedReason::ClosedByOfficer);
        }
        DismissReason::parse(keyword)
            .map(ClosedReason::Dismissed)
            .or_else(|| Outcome::parse(keyword).map(ClosedReason::Outcome))
    }

    /// Every keyword, for the database's check.
    pub fn all() -> impl Iterator<Item = ClosedReason> {
        DismissReason::ALL
            .iter()
            .map(|r| ClosedReason::Dismissed(*r))
            .chain(Outcome::ALL.iter().map(|o| ClosedReason::Outcome(*o)))
            .chain([ClosedReason::ClosedByOfficer])
    }
}

/// A change someone asks for. Who may ask is part of the transition's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The reporter opens the confirmation link.
    Confirm,
    /// An officer takes the case, or a supervisor assigns it.
    Take,
    /// An officer asks the reporter for more information.
    RequestInfo,
    /// The reporter answers a request.
    ReporterAnswers,
    /// The officer resumes review without an answer.
    Resume,
    Dismiss(DismissReason),
    Substantiate,
    /// An officer hands off to a regulator (again from `handed_off`, to a second regulator).
    HandOff,
    /// The regulator acknowledges the handoff.
    Acknowledge,
    /// The outcome is recorded, by the regulator's link or an officer.
    Close,
    /// The reporter withdraws the report.
    Withdraw,
}

impl Transition {
    pub fn name(self) -> &'static str {
        match self {
            Transition::Confirm => "confirm",
            Transition::Take => "take",
            Transition::RequestInfo => "request_info",
            Transition::ReporterAnswers => "reply",
            Transition::Resume => "resume",
            Transition::Dismiss(_) => "dismiss",
            Transition::Substantiate => "substantiate",
            Transition::HandOff => "hand_off",
            Transition::Acknowledge => "acknowledge",
            Transition::Close => "close",
            Transition::Withdraw => "withdraw",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a case that is {from} cannot be changed by `{}`", transition.name())]
pub struct TransitionError {
    pub from: CaseStatus,
    pub transition: Transition,
}

impl CaseStatus {
    /// The status after `transition`, or why it is refused. The only place that knows the rules.
    pub fn apply(self, transition: Transition) -> Result<CaseStatus, TransitionError> {
        use CaseStatus as S;
        use Transition as T;
        let next = match (self, transition) {
            (S::Unconfirmed, T::Confirm) => S::Submitted,
            (S::Submitted, T::Take) => S::InReview,
            // Taking an in-review case reassigns it; the status stays.
            (S::InReview | S::AwaitingReporter, T::Take) => self,
            (S::InReview, T::RequestInfo) => S::AwaitingReporter,
            (S::AwaitingReporter, T::ReporterAnswers | T::Resume) => S::InReview,
            (S::Submitted | S::InReview | S::AwaitingReporter, T::Dismiss(_)) => S::Dismissed,
            (S::InReview, T::Substantiate) => S::Substantiated,
            (S::Substantiated | S::HandedOff, T::HandOff) => S::HandedOff,
            (S::HandedOff, T::Acknowledge) => S::Acknowledged,
            (S::Substantiated | S::HandedOff | S::Acknowledged, T::Close) => S::Closed,
            (
                S::Unconfirmed
                | S::Submitted
                | S::InReview
                | S::AwaitingReporter
                | S::Substantiated,
                T::Withdraw,
            ) => S::Withdrawn,
            _ => {
                return Err(TransitionError {
                    from: self,
                    transition,
                });
            }
        };
        Ok(next)
    }

    /// Whether the reporter may still withdraw (everything before the handoff).
    pub fn can_withdraw(self) -> bool {
        self.apply(Transition::Withdraw).is_ok()
    }

    /// Whether the reporter can still send messages and evidence on the case.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            CaseStatus::Closed | CaseStatus::Dismissed | CaseStatus::Withdrawn
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseStatus as S;
    use Transition as T;

    #[test]
    fn the_main_path_reaches_closed() {
        let path = [
            T::Confirm,
            T::Take,
            T::RequestInfo,
            T::ReporterAnswers,
            T::Substantiate,
            T::HandOff,
            T::HandOff,
            T::Acknowledge,
            T::Close,
        ];
        let end = path.iter().try_fold(S::Unconfirmed, |s, t| s.apply(*t));
        assert_eq!(end, Ok(S::Closed));
    }

    #[test]
    fn withdrawal_is_possible_only_before_handoff() {
        for s in [
            S::Unconfirmed,
            S::Submitted,
            S::InReview,
            S::AwaitingReporter,
            S::Substantiated,
        ] {
            assert_eq!(s.apply(T::Withdraw), Ok(S::Withdrawn), "{s}");
        }
        for s in [
            S::HandedOff,
            S::Acknowledged,
            S::Closed,
            S::Dismissed,
            S::Withdrawn,
        ] {
            assert!(s.apply(T::Withdraw).is_err(), "{s}");
        }
    }

    #[test]
    fn dismissal_needs_a_case_under_consideration() {
        let d = T::Dismiss(DismissReason::Spam);
        assert_eq!(S::Submitted.apply(d), Ok(S::Dismissed));
        assert!(S::Unconfirmed.apply(d).is_err());
        assert!(S::Substantiated.apply(d).is_err());
    }

    #[test]
    fn illegal_transitions_name_the_state_and_the_action() {
        let err = S::Closed
            .apply(T::Confirm)
            .expect_err("closed cases cannot be confirmed");
        assert_eq!(
            err.to_string(),
            "a case that is closed cannot be changed by `confirm`"
        );
    }

    #[test]
    fn every_status_keyword_round_trips() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(*s));
        }
    }
}
