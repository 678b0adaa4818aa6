//! Handing a substantiated case to a regulator: the signed evidence package, its verification,
//! the regulator directory and who is proposed for a case.

pub mod campaign_graph;
pub mod campaign_package;
pub mod contents;
pub mod links;
pub mod package;
pub mod routing;
pub mod signing;
pub mod verify;
