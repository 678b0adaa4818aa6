//! Every parser of what people type: the report form (every field, then validation), shop and
//! product URLs, case numbers, receipt codes, region codes, the calendar year file, and the
//! client address from X-Forwarded-For. None may panic on any input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewwatch::domain::{CaseNumber, ReceiptCode, RegionCode, ReportForm, ShopRef};

const FIELDS: &[&str] = &[
    "platform", "platform_other", "shop_name", "shop_url", "region_province", "region_city",
    "region_code", "product_url", "order_number", "category", "seen_on", "description", "email",
    "language", "consent_share_contact", "also_complaint",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = ShopRef::parse(&text);
    let _ = reviewwatch::domain::shop::parse_web_url(&text);
    let _ = CaseNumber::parse(&text);
    let _ = ReceiptCode::parse(&text);
    let _ = RegionCode::parse(&text);
    let _ = reviewwatch::domain::calendar_file::parse(data);
    // The bytes split on 0x1f give the values of the form's fields, in order.
    let mut form = ReportForm::default();
    for (name, value) in FIELDS.iter().zip(text.split('\u{1f}')) {
        form.set(name, value.to_string());
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).expect("a date");
    let _ = form.validate(today);
});
