//! The schemes a report names, after the field's own reporting (DESIGN.md "What a report holds").

use super::keyword::keyword_enum;

keyword_enum! {
    pub enum Category {
        FakePositiveReviews => "fake_positive_reviews",
        CashbackForReview => "cashback_for_review",
        ExperienceOfficer => "experience_officer",
        FakeSalesVolume => "fake_sales_volume",
        FakeLogistics => "fake_logistics",
        ExtortionNegativeReviews => "extortion_negative_reviews",
        ReviewSuppression => "review_suppression",
        ImpersonatedService => "impersonated_service",
        /// 刷单 recruitment: 兼职刷单, 刷手 groups, “体验官” recruiters paid per fake order.
        FakeOrderRecruitment => "fake_order_recruitment",
        /// 刷单诈骗: a shopper lured with cashback into paying for fake orders (以返现为诱饵骗取
        /// 用户垫付资金). A crime: the reporter is told to call 110 / 96110 first, and the case
        /// routes to public security.
        FakeOrderFraud => "fake_order_fraud",
        Other => "other",
    }
}

impl Category {
    /// Whether the scheme is (or recruits for) fraud against the reporter themselves: the report
    /// form tells them to call the police first, and routing proposes public security first.
    pub fn is_fraud(self) -> bool {
        matches!(
            self,
            Category::FakeOrderFraud | Category::FakeOrderRecruitment
        )
    }

    /// Whether the reporter may have lost money to it, and must call 110 / 96110 before anything.
    pub fn call_police_first(self) -> bool {
        self == Category::FakeOrderFraud
    }
}
