//! A plausible regulator directory for the demo: the national administration, every province's
//! market regulation bureau, the bureaus of the demo's busiest cities and districts, the bureaus
//! where the platforms' operators are registered, and a few police and consumer bodies. All
//! addresses are on the demo domain; nothing is mailed to a real office.

use crate::db::{self, DbConnection, regulators};
use crate::domain::region::divisions;
use crate::domain::regulator::RegulatorKind;

const DOMAIN: &str = "demo.reviewwatch.cn";

/// (name, kind, region code or None for nationwide, mailbox)
const LOCAL: &[(&str, RegulatorKind, Option<&str>, &str)] = &[
    ("国家市场监督管理总局", RegulatorKind::Market, None, "samr"),
    ("中国消费者协会", RegulatorKind::Consumer, None, "cca"),
    (
        "广州市市场监督管理局",
        RegulatorKind::Market,
        Some("440100"),
        "gz-amr",
    ),
    (
        "广州市番禺区市场监督管理局",
        RegulatorKind::Market,
        Some("440113"),
        "panyu-amr",
    ),
    (
        "广州市天河区市场监督管理局",
        RegulatorKind::Market,
        Some("440106"),
        "tianhe-amr",
    ),
    (
        "广州市公安局",
        RegulatorKind::Police,
        Some("440100"),
        "gz-police",
    ),
    (
        "广州市消费者委员会",
        RegulatorKind::Consumer,
        Some("440100"),
        "gz-consumer",
    ),
    (
        "深圳市市场监督管理局",
        RegulatorKind::Market,
        Some("440300"),
        "sz-amr",
    ),
    (
        "杭州市市场监督管理局",
        RegulatorKind::Market,
        Some("330100"),
        "hz-amr",
    ),
    (
        "杭州市余杭区市场监督管理局",
        RegulatorKind::Market,
        Some("330110"),
        "yuhang-amr",
    ),
    (
        "上海市长宁区市场监督管理局",
        RegulatorKind::Market,
        Some("310105"),
        "changning-amr",
    ),
    (
        "上海市黄浦区市场监督管理局",
        RegulatorKind::Market,
        Some("310101"),
        "huangpu-amr",
    ),
    (
        "北京市大兴区市场监督管理局",
        RegulatorKind::Market,
        Some("110115"),
        "daxing-amr",
    ),
    (
        "北京市朝阳区市场监督管理局",
        RegulatorKind::Market,
        Some("110105"),
        "chaoyang-amr",
    ),
    (
        "北京市海淀区市场监督管理局",
        RegulatorKind::Market,
        Some("110108"),
        "haidian-amr",
    ),
];

/// Adds the demo directory unless the directory has entries already; returns how many were added.
pub fn seed_directory(conn: &mut DbConnection) -> Result<usize, db::DbError> {
    if !regulators::all(conn)?.is_empty() {
        return Ok(0);
    }
    let now = db::now();
    let mut added = 0;
    db::write_transaction(conn, |conn| {
        for p in divisions().provinces() {
            // 北京市 → 北京市市场监督管理局; 广东省 → 广东省市场监督管理局
            let name = format!("{}市场监督管理局", p.name);
            let email = format!("amr-{}@{DOMAIN}", &p.code[..2]);
            let fields = regulators::RegulatorFields {
                name: &name,
                kind: RegulatorKind::Market,
                region_code: Some(&p.code),
                email: &email,
                active: true,
            };
            regulators::insert(conn, &fields, now)?;
            added += 1;
        }
        for (name, kind, region, mailbox) in LOCAL {
            let email = format!("{mailbox}@{DOMAIN}");
            let fields = regulators::RegulatorFields {
                name,
                kind: *kind,
                region_code: *region,
                email: &email,
                active: true,
            };
            regulators::insert(conn, &fields, now)?;
            added += 1;
        }
        Ok::<_, db::DbError>(())
    })?;
    Ok(added)
}

/// The demo's platform desks: every platform's governance desk but 小红书's (so that the
/// directory shows a platform waiting for one), and the three search engines' complaint desks.
/// Addresses on reserved `.example` domains (RFC 2606): never a real company's.
const DESKS: &[(crate::domain::Platform, &str, &str)] = {
    use crate::domain::Platform as P;
    &[
        (
            P::Taobao,
            "淘宝平台规则与治理中心（演示）",
            "governance@taobao-desk.example",
        ),
        (
            P::Tmall,
            "天猫平台规则与治理中心（演示）",
            "governance@tmall-desk.example",
        ),
        (
            P::Jd,
            "京东开放平台治理部（演示）",
            "governance@jd-desk.example",
        ),
        (
            P::Pinduoduo,
            "拼多多平台治理中心（演示）",
            "governance@pdd-desk.example",
        ),
        (
            P::Douyin,
            "抖音电商平台治理（演示）",
            "governance@douyin-desk.example",
        ),
        (
            P::Kuaishou,
            "快手电商平台治理（演示）",
            "governance@kuaishou-desk.example",
        ),
        (
            P::Meituan,
            "美团平台治理（演示）",
            "governance@meituan-desk.example",
        ),
        (
            P::Dianping,
            "大众点评平台治理（演示）",
            "governance@dianping-desk.example",
        ),
    ]
};

/// Adds the demo desks unless there are desks already; returns how many were added.
pub fn seed_desks(conn: &mut DbConnection) -> Result<usize, db::DbError> {
    use crate::db::platform_desks::{self, DeskFields};
    use crate::domain::platform_desk::{DeskKind, SEARCH_ENGINES};
    if !platform_desks::all(conn)?.is_empty() {
        return Ok(0);
    }
    let now = db::now();
    db::write_transaction(conn, |conn| {
        for (platform, name, email) in DESKS {
            let fields = DeskFields {
                kind: DeskKind::Platform,
                platform: Some(*platform),
                domain: None,
                name,
                email,
                active: true,
            };
            platform_desks::insert(conn, &fields, now)?;
        }
        for (domain, name) in SEARCH_ENGINES {
            let desk = format!("{name}投诉渠道（演示）");
            let email = format!("complaints@{}-desk.example", domain.replace('.', "-"));
            let fields = DeskFields {
                kind: DeskKind::SearchEngine,
                platform: None,
                domain: Some(domain),
                name: &desk,
                email: &email,
                active: true,
            };
            platform_desks::insert(conn, &fields, now)?;
        }
        Ok::<_, db::DbError>(DESKS.len() + SEARCH_ENGINES.len())
    })
}
