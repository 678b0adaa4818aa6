//! The query plan of a query as the database would run it, binds and all: `EXPLAIN QUERY PLAN`
//! on SQLite, `EXPLAIN` on PostgreSQL. Tests use it to hold the queue to its indexes.

use super::DbConnection;
use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Integer, Text};
use std::marker::PhantomData;

/// `query` behind an EXPLAIN prefix; `ST` is what the database answers with.
pub struct Explain<Q, ST> {
    prefix: &'static str,
    query: Q,
    rows: PhantomData<ST>,
}

impl<Q, ST> QueryId for Explain<Q, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, ST> Query for Explain<Q, ST> {
    type SqlType = ST;
}

impl<Q: QueryFragment<DB>, DB: Backend, ST> QueryFragment<DB> for Explain<Q, ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(self.prefix);
        self.query.walk_ast(out.reborrow())
    }
}

impl<Q, ST, C> RunQueryDsl<C> for Explain<Q, ST> {}

/// SQLite's plan rows: (id, parent, unused, detail).
pub type SqlitePlanRow = (Integer, Integer, Integer, Text);

pub fn sqlite<Q>(query: Q) -> Explain<Q, SqlitePlanRow> {
    Explain {
        prefix: "EXPLAIN QUERY PLAN ",
        query,
        rows: PhantomData,
    }
}

pub fn postgres<Q>(query: Q) -> Explain<Q, Text> {
    Explain {
        prefix: "EXPLAIN ",
        query,
        rows: PhantomData,
    }
}

/// The plan of `query` on whichever database `conn` is, one line a step.
pub fn plan<Q>(conn: &mut DbConnection, query: Q) -> QueryResult<Vec<String>>
where
    Q: QueryFragment<super::MultiBackend>,
{
    if matches!(conn, DbConnection::Sqlite(_)) {
        let rows: Vec<(i32, i32, i32, String)> = sqlite(query).load(conn)?;
        Ok(rows.into_iter().map(|r| r.3).collect())
    } else {
        postgres(query).load(conn)
    }
}
