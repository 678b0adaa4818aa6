//! What a platform notice shows, read in one go: for the desk's page (under `/platform/`), the
//! officer's case page and the reporter's tracking page. The desk sees the merchant, the listing,
//! the category, the officer's finding and, only with the reporter's consent, checked copies of
//! the screenshots; never anything of the reporter.

use crate::db::{self, DbConnection, cases, evidence, findings, platform_desks, platform_notices};
use crate::domain::EvidenceId;
use crate::domain::platform_notice::NoticeState;
use crate::i18n::Messages;
use crate::web::filters;
use crate::workflow::platform_notices::{answer_sentence, summary_lines};
use crate::workflow::{WorkflowError, screenshot_copies};

/// A checked copy of a screenshot as the desk sees it: numbered, never by its file name.
pub struct SharedScreenshot {
    pub id: EvidenceId,
    pub number: usize,
    pub width: i32,
    pub height: i32,
}

/// The answer as people read it.
pub struct AnswerView {
    pub response: String,
    pub sentence: String,
    pub details: String,
    pub at: String,
}

/// A notice with what its pages show.
pub struct NoticeView {
    pub notice: platform_notices::NoticeRow,
    pub state: NoticeState,
    pub case_number: String,
    pub desk_name: Option<String>,
    pub lines: Vec<(String, String)>,
    pub finding: Option<String>,
    pub consent: bool,
    pub screenshots: Vec<SharedScreenshot>,
    pub answer: Option<AnswerView>,
}

impl NoticeView {
    pub fn state_key(&self) -> String {
        format!("platform_notice.state_{}", self.state.as_str())
    }

    /// The answer's machine name (`reviews_removed` …), empty before there is one.
    pub fn response_code(&self) -> &'static str {
        self.notice.response.map(|r| r.as_str()).unwrap_or_default()
    }

    pub fn not_before(&self) -> String {
        filters::china_time(&self.notice.not_before)
    }

    pub fn sent_at(&self) -> Option<String> {
        self.notice.sent_at.as_ref().map(filters::china_time)
    }

    pub fn reminded_at(&self) -> Option<String> {
        self.notice
            .reminder_sent_at
            .as_ref()
            .map(filters::china_time)
    }
}

/// The notice of the case `case_id`, if it has one.
pub fn of_case(
    conn: &mut DbConnection,
    m: &Messages,
    case_id: crate::domain::CaseId,
) -> Result<Option<NoticeView>, db::DbError> {
    match platform_notices::of_case(conn, case_id)? {
        Some(n) => Ok(Some(load(conn, m, n)?)),
        None => Ok(None),
    }
}

/// Notice `id` with everything its page shows.
pub fn by_id(
    conn: &mut DbConnection,
    m: &Messages,
    id: crate::domain::ids::PlatformNoticeId,
) -> Result<NoticeView, db::DbError> {
    let n = platform_notices::get(conn, id)?;
    load(conn, m, n)
}

fn load(
    conn: &mut DbConnection,
    m: &Messages,
    notice: platform_notices::NoticeRow,
) -> Result<NoticeView, db::DbError> {
    let case = cases::get(conn, notice.case_id)?;
    let desk_name = match notice.desk_id {
        Some(d) => Some(platform_desks::get(conn, d)?.name),
        None => None,
    };
    let screenshots = if case.consent_share_platform {
        evidence::for_case(conn, case.id)?
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let (width, height) = e.thumb_size();
                SharedScreenshot {
                    id: e.id,
                    number: i + 1,
                    width,
                    height,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let answer = answer_view(m, &notice);
    Ok(NoticeView {
        state: notice.clock().state(db::now()),
        case_number: case.case_number.clone(),
        desk_name,
        lines: summary_lines(m, &case),
        finding: findings::of_case(conn, case.id)?.map(|f| f.finding),
        consent: case.consent_share_platform,
        screenshots,
        answer,
        notice,
    })
}

/// The desk's answer as people read it, once there is one.
pub fn answer_view(m: &Messages, notice: &platform_notices::NoticeRow) -> Option<AnswerView> {
    notice.answer().map(|a| AnswerView {
        response: m
            .t(&format!("platform_notice.response_label.{}", a.response))
            .to_string(),
        sentence: answer_sentence(m, &a),
        details: a.details.clone(),
        at: notice
            .responded_at
            .as_ref()
            .map(filters::china_time)
            .unwrap_or_default(),
    })
}

/// The copy of screenshot `evidence_id` a desk may see: the officer's redacted copy where there
/// is one, else the metadata-free display copy; `None` without the reporter's consent, for a
/// withdrawn notice, or for a file of another case. (kind, SHA-256, content type.) A copy not
/// made yet is made now (on the caller's blocking thread).
pub fn shared_copy(
    conn: &mut DbConnection,
    store: &crate::evidence::EvidenceStore,
    id: crate::domain::ids::PlatformNoticeId,
    evidence_id: EvidenceId,
    thumbnail: bool,
) -> Result<Option<(crate::evidence::BlobKind, String, &'static str)>, WorkflowError> {
    let n = platform_notices::get(conn, id)?;
    let case = cases::get(conn, n.case_id)?;
    if !case.consent_share_platform || n.withdrawn_at.is_some() {
        return Ok(None);
    }
    let Some(row) = evidence::for_case(conn, case.id)?
        .into_iter()
        .find(|e| e.id == evidence_id)
    else {
        return Ok(None);
    };
    let redaction = evidence::latest_redaction(conn, row.id)?;
    let row = match (&redaction, row.copies()) {
        (None, None) => match screenshot_copies::make(conn, store, row.id, db::now())? {
            Some(made) => made,
            None => return Ok(None),
        },
        _ => row,
    };
    let Some((display, thumb)) = evidence::copy_shown(&row, redaction.as_ref()) else {
        return Ok(None);
    };
    let Some(display_kind) = row.display_kind else {
        return Ok(None);
    };
    Ok(Some(if thumbnail {
        (
            crate::evidence::BlobKind::Thumbnail,
            thumb.to_string(),
            "image/jpeg",
        )
    } else {
        (
            crate::evidence::BlobKind::Display,
            display.to_string(),
            display_kind.mime(),
        )
    }))
}
