//! The kinds of regulator a case can be handed to, in the order routing proposes them.

use super::keyword::keyword_enum;

keyword_enum! {
    pub enum RegulatorKind {
        /// 市场监督管理局: fake reviews and fake transactions.
        Market => "market",
        /// 公安: organised fraud, extortion.
        Police => "police",
        /// 消费者协会: consumer complaints.
        Consumer => "consumer",
    }
}
