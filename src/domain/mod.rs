//! Pure types and rules of the product: what a case, a report and its parts are. No I/O.

pub mod account;
pub mod audit;
pub mod calendar_file;
pub mod campaign;
pub mod case_number;
pub mod category;
pub mod china_time;
pub mod contact;
pub mod dashboard;
pub mod deadlines;
pub mod email_token;
pub mod evidence;
pub mod ids;
pub mod jobs;
mod keyword;
pub mod lang;
pub mod links;
pub mod login;
pub mod mail_kind;
pub mod merchant;
pub mod ocr;
pub mod officer;
pub mod original;
pub mod outcome;
pub mod place_pinyin;
pub mod platform;
pub mod platform_desk;
pub mod platform_notice;
pub mod public_stats;
pub mod rate_limit;
pub mod receipt_code;
pub mod record;
pub mod region;
pub mod regulator;
pub mod report;
pub mod screenshots;
pub mod search_term;
pub mod second_factor;
pub mod shop;
pub mod status;
pub mod statutory;
pub mod text_similarity;
pub mod workdays;

pub use case_number::CaseNumber;
pub use category::Category;
pub use ids::{
    CampaignHandoffId, CampaignId, CaseId, DeviceId, EvidenceId, HandoffId, MailId, NoteId,
    OfficerId, OriginalRequestId, RecordCorrectionId, RecordEntryId, RegulatorId,
};
pub use lang::Lang;
pub use platform::Platform;
pub use receipt_code::ReceiptCode;
pub use region::{Region, RegionCode};
pub use report::{FieldError, Problem, ReportForm, ValidReport};
pub use shop::ShopRef;
pub use status::{CaseStatus, DismissReason, Transition, TransitionError};

pub use china_time::date as china_date;
