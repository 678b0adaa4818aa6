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
        Other => "other",
    }
}
