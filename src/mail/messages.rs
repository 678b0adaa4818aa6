//! One askama struct per email, each with a text and an HTML template under `templates/email/`.

use super::Composed;
use crate::domain::mail_kind::MailKind;
use crate::domain::{CaseStatus, Lang};
use crate::i18n::{Messages, messages};
use askama::Template;

/// Declares the text and HTML template structs of one email, both reading the same data.
macro_rules! email_templates {
    ($data:ident, $text:ident, $html:ident, $text_path:literal, $html_path:literal) => {
        #[derive(Template)]
        #[template(path = $text_path, escape = "none")]
        struct $text<'a> {
            e: &'a $data,
            m: &'static Messages,
        }

        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> {
            e: &'a $data,
            m: &'static Messages,
        }

        impl $data {
            fn render_both(&self, m: &'static Messages) -> Result<(String, String), askama::Error> {
                Ok((
                    $text { e: self, m }.render()?,
                    $html { e: self, m }.render()?,
                ))
            }
        }
    };
}

/// The first email: confirm the report by opening the link; it carries the receipt code.
pub struct ConfirmEmail {
    pub lang: Lang,
    pub case_number: String,
    pub receipt_code: String,
    pub confirm_url: String,
    pub track_url: String,
    pub expires_hours: i64,
}
email_templates!(
    ConfirmEmail,
    ConfirmText,
    ConfirmHtml,
    "email/confirm.txt",
    "email/confirm.html"
);

impl ConfirmEmail {
    pub fn compose(&self) -> Result<Composed, askama::Error> {
        let m = messages(self.lang);
        let (text, html) = self.render_both(m)?;
        Ok(Composed {
            kind: MailKind::Confirm,
            subject: m.t1("email.confirm.subject", &self.case_number),
            text,
            html,
            holds_secret: true,
            attachment: None,
        })
    }
}

/// A change of status the reporter should know of, with an optional message from the portal.
pub struct StatusEmail {
    pub lang: Lang,
    pub case_number: String,
    pub status: CaseStatus,
    pub track_url: String,
    /// `track_url` is the reporter's secret case link (not the public tracking form).
    pub holds_link: bool,
    pub message: Option<String>,
}
email_templates!(
    StatusEmail,
    StatusText,
    StatusHtml,
    "email/status.txt",
    "email/status.html"
);

impl StatusEmail {
    pub fn compose(&self) -> Result<Composed, askama::Error> {
        let m = messages(self.lang);
        let (text, html) = self.render_both(m)?;
        Ok(Composed {
            kind: MailKind::Status,
            subject: m.t2(
                "email.status.subject",
                &self.case_number,
                m.status(self.status),
            ),
            text,
            html,
            holds_secret: self.holds_link,
            attachment: None,
        })
    }

    fn explanation(&self) -> String {
        format!("email.status.explain.{}", self.status.as_str())
    }
}

/// What an officer is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficerNotice {
    Assigned,
    ReporterAnswered,
    /// A regulator asked for the original of an evidence file: an officer decides.
    OriginalRequested,
    /// The platform's desk answered the case's notice.
    PlatformAnswered,
}

/// A notice to a case officer (in zh-CN: officers work in Chinese).
pub struct OfficerEmail {
    pub notice: OfficerNotice,
    pub officer_name: String,
    pub case_number: String,
    pub case_url: String,
}
email_templates!(
    OfficerEmail,
    OfficerText,
    OfficerHtml,
    "email/officer.txt",
    "email/officer.html"
);

impl OfficerEmail {
    pub fn compose(&self) -> Result<Composed, askama::Error> {
        let m = messages(Lang::ZhCn);
        let (text, html) = self.render_both(m)?;
        Ok(Composed {
            kind: self.kind(),
            subject: m.t1(
                &format!("email.officer.{}.subject", self.kind()),
                &self.case_number,
            ),
            text,
            html,
            holds_secret: false,
            attachment: None,
        })
    }

    fn kind(&self) -> MailKind {
        match self.notice {
            OfficerNotice::Assigned => MailKind::Assigned,
            OfficerNotice::ReporterAnswered => MailKind::ReporterAnswered,
            OfficerNotice::OriginalRequested => MailKind::OriginalRequested,
            OfficerNotice::PlatformAnswered => MailKind::PlatformAnswered,
        }
    }

    fn intro_key(&self) -> String {
        format!("email.officer.{}.intro", self.kind())
    }
}

/// The package to a regulator (zh-CN), or the reminder when it was not acknowledged.
pub struct HandoffEmail {
    pub reminder: bool,
    pub regulator_name: String,
    pub case_number: String,
    pub summary_lines: Vec<(String, String)>,
    pub is_complaint: bool,
    pub evidence_count: usize,
    pub package_url: String,
    pub acknowledge_url: String,
    pub outcome_url: String,
    pub links_expire_on: String,
    /// The package, when it is small enough to attach: (SHA-256, file name).
    pub attachment: Option<(String, String)>,
    pub key_fingerprint: String,
}
email_templates!(
    HandoffEmail,
    HandoffText,
    HandoffHtml,
    "email/handoff.txt",
    "email/handoff.html"
);

impl HandoffEmail {
    pub fn compose(&self) -> Result<Composed, askama::Error> {
        let m = messages(Lang::ZhCn);
        let (text, html) = self.render_both(m)?;
        let subject = if self.reminder {
            format!("【提醒】案件移交待确认接收：{}", self.case_number)
        } else {
            format!("案件移交：{}（虚假评价举报平台）", self.case_number)
        };
        Ok(Composed {
            kind: if self.reminder {
                MailKind::HandoffReminder
            } else {
                MailKind::Handoff
            },
            subject,
            text,
            html,
            // The regulator's signed links (package, acknowledgement, outcome).
            holds_secret: true,
            attachment: self.attachment.clone(),
        })
    }
}

/// To a regulator (zh-CN): a whole campaign handed off as one package, with one link for the
/// package and one to acknowledge receipt of every case in it (outcomes are recorded per case,
/// from the acknowledgement page).
pub struct CampaignHandoffEmail {
    pub reminder: bool,
    pub regulator_name: String,
    pub campaign_name: String,
    pub folder: String,
    /// (case number, platform, shop) of each case, in filing order.
    pub cases: Vec<(String, String, String)>,
    pub merchant_count: usize,
    pub contact_count: usize,
    pub evidence_count: usize,
    pub finding: Option<String>,
    pub package_url: String,
    pub acknowledge_url: String,
    pub links_expire_on: String,
    pub package_size: String,
    /// The package, when it is small enough to attach: (SHA-256, file name).
    pub attachment: Option<(String, String)>,
    pub key_fingerprint: String,
}
email_templates!(
    CampaignHandoffEmail,
    CampaignHandoffText,
    CampaignHandoffHtml,
    "email/campaign_handoff.txt",
    "email/campaign_handoff.html"
);

impl CampaignHandoffEmail {
    pub fn compose(&self) -> Result<Composed, askama::Error> {
        let m = messages(Lang::ZhCn);
        let (text, html) = self.render_both(m)?;
        let subject = if self.reminder {
            format!("【提醒】串案移交待确认接收：{}", self.campaign_name)
        } else {
            format!(
                "串案移交：{}（{} 件，虚假评价举报平台）",
                self.campaign_name,
                self.cases.len()
            )
        };
        Ok(Composed {
            kind: if self.reminder {
                MailKind::CampaignHandoffReminder
            } else {
                MailKind::CampaignHandoff
            },
            subject,
            text,
            html,
            holds_secret: true,
            attachment: self.attachment.clone(),
        })
    }
}

/// To a regulator (zh-CN): the answer to its request for an original evidence file, with the
/// single-use download link when approved.
pub struct OriginalDecisionEmail {
    pub regulator_name: String,
    pub case_number: String,
    /// "证据 2（聊天记录.jpg）".
    pub file_label: String,
    pub original_sha256: String,
    /// The link, when approved.
    pub download_url: Option<String>,
    pub expires_on: String,
}
email_templates!(
    OriginalDecisionEmail,
    OriginalDecisionText,
    OriginalDecisionHtml,
    "email/original.txt",
    "email/original.html"
);

impl OriginalDecisionEmail {
    pub fn compose(&self) -> Result<Composed, askama::Error> {
        let m = messages(Lang::ZhCn);
        let (text, html) = self.render_both(m)?;
        let subject = if self.download_url.is_some() {
            format!("证据原件调取申请已同意：{}", self.case_number)
        } else {
            format!("证据原件调取申请未获同意：{}", self.case_number)
        };
        Ok(Composed {
            kind: MailKind::OriginalDecision,
            subject,
            text,
            html,
            holds_secret: self.download_url.is_some(),
            attachment: None,
        })
    }
}

/// To an officer: a one-time link to set their password, for an invitation or a reset. In
/// zh-CN first, English below: the account has no language of its own yet.
pub struct OfficerLinkEmail {
    pub purpose: crate::domain::account::LinkPurpose,
    pub officer_name: String,
    pub url: String,
    pub expires_hours: i64,
}

#[derive(Template)]
#[template(path = "email/officer_link.txt", escape = "none")]
struct OfficerLinkText<'a> {
    e: &'a OfficerLinkEmail,
    m: &'static Messages,
    en: &'static Messages,
}

#[derive(Template)]
#[template(path = "email/officer_link.html")]
struct OfficerLinkHtml<'a> {
    e: &'a OfficerLinkEmail,
    m: &'static Messages,
    en: &'static Messages,
}

impl OfficerLinkEmail {
    pub fn compose(&self) -> Result<Composed, askama::Error> {
        let (m, en) = (messages(Lang::ZhCn), messages(Lang::En));
        let text = OfficerLinkText { e: self, m, en }.render()?;
        let html = OfficerLinkHtml { e: self, m, en }.render()?;
        Ok(Composed {
            kind: match self.purpose {
                crate::domain::account::LinkPurpose::Invite => MailKind::OfficerInvite,
                crate::domain::account::LinkPurpose::Reset => MailKind::PasswordReset,
            },
            subject: format!(
                "{} / {}",
                m.t(&self.key("subject")),
                en.t(&self.key("subject"))
            ),
            text,
            html,
            holds_secret: true,
            attachment: None,
        })
    }

    /// A message key of this email (`team.mail.invite.subject`, …).
    fn key(&self, part: &str) -> String {
        format!("team.mail.{}.{part}", self.purpose)
    }
}

/// To the supervisors: a merchant asked for a correction of a public record entry (zh-CN).
pub struct RecordCorrectionEmail {
    pub shop_name: String,
    pub entry_document: String,
    pub enterprise_name: String,
    pub contact_email: String,
    pub what_is_wrong: String,
    pub document_number: String,
    pub page_url: String,
}
email_templates!(
    RecordCorrectionEmail,
    RecordCorrectionText,
    RecordCorrectionHtml,
    "email/record_correction.txt",
    "email/record_correction.html"
);

impl RecordCorrectionEmail {
    pub fn compose(&self) -> Result<Composed, askama::Error> {
        let m = messages(Lang::ZhCn);
        let (text, html) = self.render_both(m)?;
        Ok(Composed {
            kind: MailKind::RecordCorrection,
            subject: m.t1("record.mail.subject", &self.shop_name),
            text,
            html,
            holds_secret: false,
            attachment: None,
        })
    }
}

/// To a platform's governance desk (zh-CN): a handed-off case as a lead to act on, with the
/// signed link to read it whole (screenshots where the reporter agreed) and to answer. Never
/// anything that identifies the reporter.
pub struct PlatformNoticeEmail {
    pub reminder: bool,
    pub desk_name: String,
    pub case_number: String,
    /// (label, value) lines: platform, shop, its link or ID, the listing, the category.
    pub summary_lines: Vec<(String, String)>,
    pub finding: Option<String>,
    pub notice_url: String,
    pub answer_due_on: String,
    pub link_expires_on: String,
    /// Screenshots shown on the page (0 when the reporter did not agree to share them).
    pub screenshot_count: usize,
}
email_templates!(
    PlatformNoticeEmail,
    PlatformNoticeText,
    PlatformNoticeHtml,
    "email/platform_notice.txt",
    "email/platform_notice.html"
);

impl PlatformNoticeEmail {
    pub fn compose(&self) -> Result<Composed, askama::Error> {
        let m = messages(Lang::ZhCn);
        let (text, html) = self.render_both(m)?;
        let subject = if self.reminder {
            format!(
                "【提醒】请答复平台通知：{}（举报线索，非行政认定）",
                self.case_number
            )
        } else {
            format!("平台通知：{}（举报线索，非行政认定）", self.case_number)
        };
        Ok(Composed {
            kind: if self.reminder {
                MailKind::PlatformNoticeReminder
            } else {
                MailKind::PlatformNotice
            },
            subject,
            text,
            html,
            // The desk's signed link.
            holds_secret: true,
            attachment: None,
        })
    }
}

/// To the reporter, in their language: what the platform did about the reviews they reported.
pub struct PlatformAnswerEmail {
    pub lang: Lang,
    pub case_number: String,
    pub platform_name: String,
    /// The answer in a sentence ("The platform removed 37 reviews.").
    pub answer: String,
    pub details: Option<String>,
    pub track_url: String,
    /// `track_url` is the reporter's secret case link (not the public tracking form).
    pub holds_link: bool,
}
email_templates!(
    PlatformAnswerEmail,
    PlatformAnswerText,
    PlatformAnswerHtml,
    "email/platform_answer.txt",
    "email/platform_answer.html"
);

impl PlatformAnswerEmail {
    pub fn compose(&self) -> Result<Composed, askama::Error> {
        let m = messages(self.lang);
        let (text, html) = self.render_both(m)?;
        Ok(Composed {
            kind: MailKind::PlatformAnswer,
            subject: m.t2(
                "platform_notice.mail.subject",
                &self.case_number,
                &self.platform_name,
            ),
            text,
            html,
            holds_secret: self.holds_link,
            attachment: None,
        })
    }
}
