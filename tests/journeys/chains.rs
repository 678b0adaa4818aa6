//! Chains behind fake reviews, as officers meet them: the same merchant however its address was
//! written, the merchant's page, links confirmed or found unrelated, and 刷单诈骗 reports that
//! send the reporter to the police and route to public security.

use crate::handoff::add_regulator;
use crate::helpers::*;
use reqwest::StatusCode;

fn related_cases(page: &Reply) -> Vec<String> {
    page.attrs_of("#related-cases li.related-case", "data-case")
}

fn reasons_for(page: &Reply, other: &str) -> Vec<String> {
    page.attrs_of(
        &format!("#related-cases li.related-case[data-case=\"{other}\"] li[data-reason]"),
        "data-reason",
    )
}

#[tokio::test]
async fn the_same_shop_written_two_ways_is_one_merchant_with_its_own_page() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let first = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn()
                .set("shop_name", "某某数码旗舰店")
                .set(
                    "shop_url",
                    "https://shop123456.taobao.com/?spm=a1z10.1-c.0.0&scm=1007.share",
                ),
            vec![("截图.png", png_screenshot(337), "image/png")],
        )
        .await;
    // Another reporter, another spelling of the same shop (the mobile site, another name).
    let second = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn().set("shop_name", "某某数码专营").set(
                "shop_url",
                "https://shop123456.m.taobao.com/index.htm?ut_sk=x",
            ),
            vec![("截图.png", png_screenshot(374), "image/png")],
        )
        .await;
    // The same name on another platform is another merchant.
    let elsewhere = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn()
                .set("platform", "jd")
                .set("shop_name", "某某数码旗舰店")
                .set("shop_url", "https://mall.jd.com/index-1000001.html"),
            vec![("截图.png", png_screenshot(411), "image/png")],
        )
        .await;

    let page = officer.case_page(&first.number).await;
    assert!(related_cases(&page).contains(&second.number));
    assert!(reasons_for(&page, &second.number).contains(&"same_merchant".to_string()));
    assert!(
        !reasons_for(&page, &elsewhere.number).contains(&"same_merchant".to_string()),
        "the same name on another platform is another merchant"
    );
    assert!(
        page.text_of(&format!(
            "#related-cases li.related-case[data-case=\"{}\"]",
            second.number
        ))
        .is_some_and(|t| t.contains(zh().t("link_reason.same_merchant")) && t.contains("123456")),
        "the reason is said in words, with the shop id"
    );

    // The merchant's page lists both, counted by status and category.
    let href = page
        .attr_of("#merchant-link", "href")
        .expect("a merchant link");
    let merchant = officer.get(&href).await;
    assert_eq!(merchant.status, StatusCode::OK);
    assert_eq!(merchant.text_of("#merchant-key").as_deref(), Some("123456"));
    assert_eq!(
        merchant.attr_of("#merchant-total", "data-total").as_deref(),
        Some("2")
    );
    let mut listed = merchant.attrs_of("#merchant-cases tr[data-case]", "data-case");
    listed.sort();
    let mut expected = vec![first.number.clone(), second.number.clone()];
    expected.sort();
    assert_eq!(listed, expected);
    assert!(!listed.contains(&elsewhere.number));
    assert_eq!(
        merchant
            .text_of("#merchant-by-status tr[data-status=submitted] td")
            .as_deref(),
        Some("2")
    );
    assert_eq!(
        merchant
            .text_of("#merchant-by-category tr[data-category=cashback_for_review] td")
            .as_deref(),
        Some("2")
    );
    assert_eq!(merchant.count("#merchant-over-time svg rect"), 1);
    assert!(
        merchant
            .text_of("#merchant-names")
            .is_some_and(|t| t.contains("某某数码旗舰店") && t.contains("某某数码专营"))
    );

    // A key no case has, or one that is not a key, is not a page.
    assert_eq!(
        officer
            .get("/officer/merchants?key=taobao:shop:999")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        officer.get("/officer/merchants?key=nonsense").await.status,
        StatusCode::NOT_FOUND
    );
    // Reporters never see it.
    assert!(
        app.visitor()
            .get(&href)
            .await
            .location()
            .is_some_and(|l| l.starts_with("/officer/login"))
    );
}

#[tokio::test]
async fn an_officer_confirms_one_link_and_finds_another_unrelated_each_in_both_trails() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let mut numbers = Vec::new();
    for name in ["甲店", "乙店", "丙店"] {
        let r = app
            .visitor()
            .file_report(
                &ReportFields::zh_cn().set("shop_name", name),
                vec![("截图.png", png_screenshot(448), "image/png")],
            )
            .await;
        numbers.push(r.number);
    }
    let (a, b, c) = (&numbers[0], &numbers[1], &numbers[2]);
    let page = officer.case_page(a).await;
    assert_eq!(
        related_cases(&page).len(),
        2,
        "the same shop address, three names"
    );
    assert_eq!(
        page.count("#related-cases .link-verdict"),
        0,
        "suggestions until an officer decides"
    );

    let form = page
        .form("link", &format!("/officer/cases/{a}"))
        .expect("a link form");
    let confirmed = officer
        .submit(&form.fill("other", b).fill("verdict", "confirmed"))
        .await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    let form = page
        .form("link", &format!("/officer/cases/{a}"))
        .expect("a link form");
    let rejected = officer
        .submit(&form.fill("other", c).fill("verdict", "rejected"))
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);

    let page = officer.case_page(a).await;
    assert_eq!(
        related_cases(&page),
        vec![b.clone(), c.clone()],
        "the confirmed link first, the unrelated one last"
    );
    assert_eq!(
        page.attr_of(
            &format!("#related-cases li[data-case=\"{b}\"] .link-verdict"),
            "data-verdict"
        )
        .as_deref(),
        Some("confirmed")
    );
    assert_eq!(
        page.attr_of(
            &format!("#related-cases li[data-case=\"{c}\"] .link-verdict"),
            "data-verdict"
        )
        .as_deref(),
        Some("rejected")
    );
    // Seen from the other side too, and in both trails.
    let other = officer.case_page(b).await;
    assert_eq!(
        other
            .attr_of(
                &format!("#related-cases li[data-case=\"{a}\"] .link-verdict"),
                "data-verdict"
            )
            .as_deref(),
        Some("confirmed")
    );
    assert!(app.audit_actions(a).contains(&"link_confirmed".to_string()));
    assert!(app.audit_actions(b).contains(&"link_confirmed".to_string()));
    assert!(app.audit_actions(c).contains(&"link_rejected".to_string()));
    assert_eq!(
        other.count("tr[data-audit-action=link_confirmed]"),
        1,
        "the trail shows it"
    );

    // Nonsense is refused with words, and nothing is stored.
    let form = page
        .form("link", &format!("/officer/cases/{a}"))
        .expect("a link form");
    let refused = officer
        .submit(&form.clone().fill("other", a).fill("verdict", "confirmed"))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.text_of("#action-problem").as_deref(),
        Some(zh().t("links.not_itself"))
    );
    let refused = officer
        .submit(&form.fill("other", b).fill("verdict", "maybe"))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.audit_actions(a)
            .iter()
            .filter(|x| x.starts_with("link_"))
            .count(),
        2
    );
}

#[tokio::test]
async fn a_fake_order_fraud_report_sends_its_reporter_to_the_police_and_routes_to_public_security()
{
    let app = spawn_app().await;
    let supervisor = app.supervisor("zhang.wei@amr.example.gov.cn", "张伟").await;
    let market = add_regulator(
        &app,
        &supervisor,
        "杭州市西湖区市场监督管理局",
        "market",
        "330106",
        "xh@amr.example.gov.cn",
    )
    .await;
    let police = add_regulator(
        &app,
        &supervisor,
        "杭州市公安局",
        "police",
        "330100",
        "fz@police.example.gov.cn",
    )
    .await;

    let reporter = app.visitor();
    let form = reporter.get("/reports/new").await;
    assert_eq!(
        form.count(".fraud-first #call-police a[href=\"tel:110\"]"),
        1,
        "the form says to call 110 once 刷单诈骗 is chosen"
    );
    assert!(
        form.text_of("#call-police")
            .is_some_and(|t| t.contains("96110")),
        "and the 96110 anti-fraud line"
    );
    let fraud = ReportFields::zh_cn()
        .set("category", "fake_order_fraud")
        .set("region_code", "330106")
        .set(
            "description",
            "客服加我微信说做刷单返现任务，第一单返了钱，第二单垫付 800 元后对方拉黑了我。",
        );
    let sent = reporter
        .submit_report(&fraud, vec![("截图.png", png_screenshot(485), "image/png")])
        .await;
    assert_eq!(sent.location().as_deref(), Some("/reports/receipt"));
    let shown = reporter.get("/reports/receipt").await;
    assert!(
        shown
            .text_of("#call-police")
            .is_some_and(|t| t.contains("110")),
        "the receipt repeats it"
    );
    let n = &shown.text_of("#case-number").expect("a case number");
    supervisor.act(n, "take", &[]).await;
    let decided = supervisor
        .act(
            n,
            "substantiate",
            &[
                ("note", "聊天记录与转账记录对应。"),
                ("finding", "以返现为诱饵骗取垫付资金。"),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER);
    let page = supervisor.case_page(n).await;
    assert_eq!(
        page.attrs_of("#regulator_id option[data-proposed]", "value"),
        vec![police.to_string(), market.to_string()],
        "public security first, then the market regulator"
    );

    // An ordinary report keeps the market regulator first and says nothing of the police.
    let plain = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn().set("region_code", "330106"),
            vec![("截图.png", png_screenshot(522), "image/png")],
        )
        .await;
    supervisor.act(&plain.number, "take", &[]).await;
    supervisor
        .act(
            &plain.number,
            "substantiate",
            &[("note", "属实。"), ("finding", "好评返现。")],
        )
        .await;
    let page = supervisor.case_page(&plain.number).await;
    assert_eq!(
        page.attrs_of("#regulator_id option[data-proposed]", "value"),
        vec![market.to_string(), police.to_string()]
    );
}
