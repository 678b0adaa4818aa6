//! Which email a queued message is. An open set: a new email adds a kind here, and the outbox
//! table needs no change (the database does not check the keyword; reading an unknown one fails).

use super::keyword::keyword_enum;

keyword_enum! {
    pub enum MailKind {
        Confirm => "confirm",
        Status => "status",
        Assigned => "assigned",
        ReporterAnswered => "reporter_answered",
        OriginalRequested => "original_requested",
        Handoff => "handoff",
        HandoffReminder => "handoff_reminder",
        CampaignHandoff => "campaign_handoff",
        CampaignHandoffReminder => "campaign_handoff_reminder",
        OriginalDecision => "original_decision",
        OfficerInvite => "officer_invite",
        PasswordReset => "password_reset",
        RecordCorrection => "record_correction",
        /// A handed-off case told to the platform's desk, and its reminder.
        PlatformNotice => "platform_notice",
        PlatformNoticeReminder => "platform_notice_reminder",
        /// To the officer: the platform answered a notice.
        PlatformAnswered => "platform_answered",
        /// To the reporter: what the platform did.
        PlatformAnswer => "platform_answer",
    }
}
