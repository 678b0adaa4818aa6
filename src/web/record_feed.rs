//! The public record's Atom 1.0 feed (`/record/feed.atom`), written with `atom_syndication`.

use crate::db::record::RecordEntryRow;
use crate::domain::record::RecordStatus;
use crate::i18n::Messages;
use crate::web::record_view::PublicEntry;
use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{FixedOffset, NaiveDateTime};

/// China time (UTC+8), as the portal shows every time.
fn china(at: &NaiveDateTime) -> FixedDateTime {
    FixedOffset::east_opt(8 * 3600)
        .map(|o| at.and_utc().with_timezone(&o))
        .unwrap_or_else(|| at.and_utc().fixed_offset())
}

/// When an entry last changed: withdrawn, else approved.
fn changed(r: &RecordEntryRow) -> NaiveDateTime {
    r.withdrawn_at.or(r.approved_at).unwrap_or(r.created_at)
}

fn entry(m: &Messages, base: &str, r: &RecordEntryRow) -> Entry {
    let e = PublicEntry::of(m, r);
    let mut lines = vec![
        format!("{}：{}", m.t("record.platform"), e.platform_name),
        format!("{}：{}", m.t("record.shop"), e.shop_name),
        format!("{}：{}", m.t("record.category"), e.category_name),
        format!("{}：{}", m.t("record.regulator"), e.regulator),
        format!("{}：{}", m.t("record.decision_kind"), e.decision_kind_name),
        format!("{}：{}", m.t("record.decision_date"), e.decision_date),
        format!("{}：{}", m.t("record.document_number"), e.document_number),
    ];
    match (&e.decision_text, &e.withdrawal) {
        (_, Some(w)) => lines.push(format!(
            "{}：{}（{}）",
            m.t("record.withdrawn_note"),
            w.reason,
            w.document_number
        )),
        (Some(t), None) if !t.is_empty() => lines.push(format!("{}：{t}", m.t("record.decision"))),
        _ => {}
    }
    lines.push(format!("{}：{}", m.t("record.check_at"), e.check_at));
    let title = if r.status == RecordStatus::Withdrawn {
        format!(
            "{}（{}） {}",
            e.shop_name,
            m.t("record.withdrawn"),
            e.document_number
        )
    } else {
        format!("{} {}", e.shop_name, e.document_number)
    };
    let mut link = Link::default();
    link.set_href(format!("{base}/record#record-{}", e.id));
    link.set_rel("alternate");
    let mut content = Content::default();
    content.set_content_type(Some("text".to_string()));
    content.set_value(Some(lines.join("\n")));
    let mut out = Entry::default();
    out.set_id(format!("{base}/record/{}", e.id));
    out.set_title(Text::plain(title));
    out.set_updated(china(&changed(r)));
    out.set_links(vec![link]);
    out.set_content(Some(content));
    out
}

/// The feed of `rows` (newest first), its links under `base`.
pub fn atom(m: &Messages, base: &str, rows: &[RecordEntryRow]) -> String {
    let mut feed = Feed::default();
    feed.set_id(format!("{base}/record"));
    feed.set_title(Text::plain(m.t("record.feed_title")));
    feed.set_lang(Some("zh-CN".to_string()));
    let updated = rows.iter().map(changed).max().unwrap_or_default();
    feed.set_updated(china(&updated));
    let mut author = Person::default();
    author.set_name(m.t("record.feed_author"));
    feed.set_authors(vec![author]);
    let mut this = Link::default();
    this.set_href(format!("{base}/record/feed.atom"));
    this.set_rel("self");
    let mut page = Link::default();
    page.set_href(format!("{base}/record"));
    page.set_rel("alternate");
    feed.set_links(vec![this, page]);
    feed.set_entries(rows.iter().map(|r| entry(m, base, r)).collect::<Vec<_>>());
    feed.to_string()
}
