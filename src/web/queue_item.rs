//! One case as a row of the officers' lists (the queue, the desk, the exports): labels in the
//! officer's language, the date due with what it is for, and whether it is late.

use crate::db::queue::QueueRow;
use crate::domain::deadlines::Deadlines;
use crate::domain::region::divisions;
use crate::domain::{CaseStatus, RegionCode};
use crate::web::filters;
use chrono::NaiveDate;

pub struct QueueItem {
    pub number: String,
    /// The bulk checkbox's value: the number and the version shown.
    pub seen: String,
    pub status: CaseStatus,
    pub platform: String,
    pub shop_name: String,
    pub region: String,
    pub category: String,
    pub is_complaint: bool,
    pub filed: String,
    pub activity: String,
    pub assignee: Option<String>,
    pub due: Option<String>,
    /// The due date is counted without the year's official notice.
    pub due_provisional: bool,
    /// What the date due is for (accepting, deciding, the regulator's acknowledgement): the
    /// same column means another clock after a handoff.
    pub due_meaning: &'static str,
    pub overdue: bool,
}

fn short_region(code: &str) -> String {
    RegionCode::parse(code)
        .and_then(|c| divisions().region(&c))
        .map(|r| r.full_name())
        .unwrap_or_else(|| code.to_string())
}

/// One row of the queue as officers read it: labels in their language, the date due (the
/// earlier of accepting and deciding while a case waits to be accepted), and whether it is late.
pub fn queue_item(
    m: &crate::i18n::Messages,
    r: &QueueRow,
    today: NaiveDate,
    cal: &crate::domain::workdays::Calendar,
) -> QueueItem {
    let status = r.status;
    let deadlines = r.decide_by.map(|decide_by| Deadlines {
        accept_by: r.accept_by,
        decide_by,
    });
    let due = deadlines.map(|d| match (status, d.accept_by) {
        (CaseStatus::Submitted, Some(a)) => a.min(d.decide_by),
        _ => d.decide_by,
    });
    let due_meaning = match (status, deadlines.and_then(|d| d.accept_by)) {
        (CaseStatus::HandedOff, _) => "queue.due_acknowledge",
        (CaseStatus::Submitted, Some(a)) if deadlines.is_some_and(|d| a <= d.decide_by) => {
            "queue.due_accept"
        }
        _ => "queue.due_decide",
    };
    let due = due.filter(|_| {
        matches!(
            status,
            CaseStatus::Submitted
                | CaseStatus::InReview
                | CaseStatus::AwaitingReporter
                | CaseStatus::HandedOff
        )
    });
    QueueItem {
        number: r.case_number.clone(),
        seen: crate::workflow::bulk::Seen::value(&r.case_number, r.version),
        status,
        platform: m.platform(r.platform).to_string()
            + &r.platform_other
                .as_ref()
                .map(|o| format!(" ({o})"))
                .unwrap_or_default(),
        shop_name: r.shop_name.clone(),
        region: short_region(&r.region_code),
        category: m.category(r.category).to_string(),
        is_complaint: r.is_complaint,
        filed: filters::china_time(&r.created_at),
        activity: filters::china_time(&r.last_activity_at),
        assignee: r.assignee_name.clone(),
        overdue: deadlines.is_some_and(|d| d.is_overdue(status, today)),
        due_provisional: due.is_some_and(|d| cal.is_provisional(d)),
        due: due.map(|d| d.to_string()),
        due_meaning,
    }
}
