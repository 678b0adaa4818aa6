//! Which regulators to propose for a case: for the merchant's region the most specific match
//! first (county, then city, province, nationwide), by kind; then, as the rules allow for sellers
//! on a platform, the market regulation bureau where the platform's operator is registered.

use crate::db::regulators::RegulatorRow;
use crate::domain::region::Level;
use crate::domain::regulator::RegulatorKind;
use crate::domain::{Category, RegionCode};

/// Why a regulator is proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Its region is the merchant's (at this level: 0 county … 3 nationwide).
    MerchantRegion { specificity: u8 },
    /// It sits where the platform's operator is registered.
    PlatformDomicile,
}

#[derive(Debug, Clone)]
pub struct Proposal {
    pub regulator: RegulatorRow,
    pub basis: Basis,
}

/// The codes whose regulators could act for `region`: itself and every level above it.
pub fn covering_codes(region: &RegionCode) -> Vec<String> {
    let mut codes = vec![region.as_str().to_string()];
    if let Some(city) = region.city_code() {
        codes.push(city);
    }
    codes.push(region.province_code());
    codes.sort();
    codes.dedup();
    codes
}

fn specificity(regulator_region: Option<&str>) -> u8 {
    match regulator_region
        .and_then(RegionCode::parse)
        .map(|c| c.level())
    {
        Some(Level::County) => 0,
        Some(Level::City) => 1,
        Some(Level::Province) => 2,
        None => 3,
    }
}

fn kind_rank(order: &[RegulatorKind], kind: RegulatorKind) -> usize {
    order.iter().position(|k| *k == kind).unwrap_or(order.len())
}

/// The proposals, best first. For each kind, only the most specific level of the merchant's
/// region is proposed (a county bureau before its city's); the others stay choosable. The kinds
/// come in the order the case's category asks for (public security first for 刷单 fraud).
pub fn propose(
    category: Category,
    merchant_region: &RegionCode,
    for_merchant: &[RegulatorRow],
    domicile_region: Option<&RegionCode>,
    for_domicile: &[RegulatorRow],
) -> Vec<Proposal> {
    let order = RegulatorKind::order_for(category);
    let mut out: Vec<Proposal> = Vec::new();
    for kind in order {
        let candidates: Vec<&RegulatorRow> = for_merchant
            .iter()
            .filter(|r| r.kind == kind && r.active)
            .filter(
                |r| match r.region_code.as_deref().and_then(RegionCode::parse) {
                    Some(code) => merchant_region.is_within(&code),
                    None => true,
                },
            )
            .collect();
        let Some(best) = candidates
            .iter()
            .map(|r| specificity(r.region_code.as_deref()))
            .min()
        else {
            continue;
        };
        for r in candidates
            .into_iter()
            .filter(|r| specificity(r.region_code.as_deref()) == best)
        {
            out.push(Proposal {
                regulator: r.clone(),
                basis: Basis::MerchantRegion { specificity: best },
            });
        }
    }
    if let Some(domicile) = domicile_region {
        let candidates: Vec<&RegulatorRow> = for_domicile
            .iter()
            .filter(|r| r.kind == RegulatorKind::Market && r.active && r.region_code.is_some())
            .filter(|r| {
                r.region_code
                    .as_deref()
                    .and_then(RegionCode::parse)
                    .is_some_and(|c| domicile.is_within(&c))
            })
            .collect();
        if let Some(best) = candidates
            .iter()
            .map(|r| specificity(r.region_code.as_deref()))
            .min()
        {
            for r in candidates
                .into_iter()
                .filter(|r| specificity(r.region_code.as_deref()) == best)
            {
                if !out.iter().any(|p| p.regulator.id == r.id) {
                    out.push(Proposal {
                        regulator: r.clone(),
                        basis: Basis::PlatformDomicile,
                    });
                }
            }
        }
    }
    out.sort_by_key(|p| match p.basis {
        Basis::MerchantRegion { .. } => (0, kind_rank(&order, p.regulator.kind)),
        Basis::PlatformDomicile => (1, 0),
    });
    out
}

/// The regulators to propose for a merchant in `region_code` on `platform`, for `category`.
pub fn proposals_for(
    conn: &mut crate::db::DbConnection,
    category: crate::domain::Category,
    region_code: &str,
    platform: crate::domain::Platform,
) -> Result<Vec<Proposal>, crate::db::DbError> {
    let Some(region) = RegionCode::parse(region_code) else {
        return Ok(Vec::new());
    };
    let for_merchant = crate::db::regulators::covering(conn, &covering_codes(&region))?;
    let domicile = crate::db::regulators::domicile(conn, platform)?
        .and_then(|d| RegionCode::parse(&d.region_code));
    let for_domicile = match &domicile {
        Some(d) => crate::db::regulators::covering(conn, &covering_codes(d))?,
        None => Vec::new(),
    };
    Ok(propose(
        category,
        &region,
        &for_merchant,
        domicile.as_ref(),
        &for_domicile,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RegulatorId;

    fn reg(id: i64, kind: &str, region: Option<&str>) -> RegulatorRow {
        RegulatorRow {
            id: RegulatorId(id),
            name: format!("r{id}"),
            kind: RegulatorKind::parse(kind).expect("a kind"),
            region_code: region.map(str::to_string),
            email: format!("r{id}@example.gov.cn"),
            active: true,
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("known code")
    }

    #[test]
    fn the_county_bureau_comes_before_the_citys() {
        let regs = vec![
            reg(1, "market", Some("440100")),
            reg(2, "market", Some("440113")),
            reg(3, "market", Some("440000")),
            reg(4, "market", None),
            reg(5, "consumer", Some("440100")),
            reg(6, "market", Some("440106")),
        ];
        let p = propose(
            Category::CashbackForReview,
            &code("440113"),
            &regs,
            None,
            &[],
        );
        let ids: Vec<i64> = p.iter().map(|p| p.regulator.id.get()).collect();
        assert_eq!(
            ids,
            vec![2, 5],
            "the 番禺 market bureau, then the Guangzhou consumer association"
        );
    }

    #[test]
    fn without_a_local_bureau_the_province_or_nationwide_one_is_proposed() {
        let regs = vec![reg(3, "market", Some("440000")), reg(4, "market", None)];
        assert_eq!(
            propose(
                Category::CashbackForReview,
                &code("440113"),
                &regs,
                None,
                &[]
            )
            .first()
            .map(|p| p.regulator.id.get()),
            Some(3)
        );
        let regs = vec![reg(4, "market", None)];
        assert_eq!(
            propose(
                Category::CashbackForReview,
                &code("440113"),
                &regs,
                None,
                &[]
            )
            .first()
            .map(|p| p.regulator.id.get()),
            Some(4)
        );
    }

    #[test]
    fn the_platform_operators_bureau_follows_the_merchants() {
        let merchant = vec![reg(2, "market", Some("440113"))];
        let domicile = vec![
            reg(7, "market", Some("330110")),
            reg(8, "market", Some("330100")),
        ];
        let p = propose(
            Category::CashbackForReview,
            &code("440113"),
            &merchant,
            Some(&code("330110")),
            &domicile,
        );
        let got: Vec<(i64, Basis)> = p.iter().map(|p| (p.regulator.id.get(), p.basis)).collect();
        assert_eq!(
            got,
            vec![
                (2, Basis::MerchantRegion { specificity: 0 }),
                (7, Basis::PlatformDomicile)
            ]
        );
    }

    #[test]
    fn fake_order_fraud_goes_to_public_security_first() {
        let regs = vec![
            reg(2, "market", Some("440113")),
            reg(9, "police", Some("440100")),
            reg(5, "consumer", Some("440100")),
        ];
        let ids = |c| -> Vec<i64> {
            propose(c, &code("440113"), &regs, None, &[])
                .iter()
                .map(|p| p.regulator.id.get())
                .collect()
        };
        assert_eq!(ids(Category::FakeOrderFraud), vec![9, 2, 5]);
        assert_eq!(ids(Category::FakeOrderRecruitment), vec![9, 2, 5]);
        assert_eq!(ids(Category::CashbackForReview), vec![2, 9, 5]);
    }

    #[test]
    fn covering_codes_climb_the_levels() {
        assert_eq!(
            covering_codes(&code("440113")),
            vec!["440000", "440100", "440113"]
        );
        assert_eq!(covering_codes(&code("440000")), vec!["440000"]);
    }
}
