//! Cases filed before merchants and chains were kept: their merchant read from the shop they
//! name, their description indexed, in batches, each case in one transaction.

use super::{WorkflowError, chains};
use crate::db::{self, DbPool, merchants};
use crate::domain::links::TextSource;
use crate::domain::merchant;

/// Cases read per transaction.
const BATCH: i64 = 200;

/// Reads every case that has no merchant key yet; returns how many.
pub async fn index_earlier_cases(pool: &DbPool) -> Result<usize, WorkflowError> {
    let mut read = 0;
    loop {
        let n = db::run_with(pool, |conn| {
            db::write_transaction(conn, |conn| {
                let batch = merchants::without_key(conn, BATCH)?;
                let now = db::now();
                for case in &batch {
                    let identity =
                        merchant::identify(case.platform, &case.shop_ref, &case.shop_name);
                    merchants::set_key(conn, case.id, &identity.key_string())?;
                    chains::index_text(
                        conn,
                        case.id,
                        TextSource::Description,
                        &case.description,
                        now,
                    )?;
                }
                Ok::<usize, WorkflowError>(batch.len())
            })
        })
        .await?;
        read += n;
        if n < BATCH as usize {
            return Ok(read);
        }
    }
}
