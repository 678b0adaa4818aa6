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

impl RegulatorKind {
    /// The kinds in the order routing proposes them for a case of `category`: public security
    /// first for 刷单 fraud and recruitment (a crime, DESIGN.md "Campaigns and chains"), the
    /// market regulator first for everything else.
    pub fn order_for(category: super::Category) -> [RegulatorKind; 3] {
        if category.is_fraud() {
            [
                RegulatorKind::Police,
                RegulatorKind::Market,
                RegulatorKind::Consumer,
            ]
        } else {
            [
                RegulatorKind::Market,
                RegulatorKind::Police,
                RegulatorKind::Consumer,
            ]
        }
    }
}
