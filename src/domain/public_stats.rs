//! The public statistics' rules: which counts may be published (small cells and the cells that
//! would give them away are suppressed), medians, and the snapshot `/stats` serves.
//!
//! docs/OPEN-DATA.md describes the published form; this module is what holds it to its promises.

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

/// The smallest count published; 1 to `MIN_CELL - 1` are suppressed (0 is published: an empty
/// cell names nobody).
pub const MIN_CELL: i64 = 5;

/// How many China months (the current one included) the month table covers.
pub const MONTHS: usize = 12;

/// The version of the snapshot's shape; a field added later (the `platforms` block) does not
/// change it, a field renamed or removed does.
pub const SCHEMA_VERSION: u32 = 1;

/// Whether a count alone must be suppressed.
pub fn is_small(n: i64) -> bool {
    (1..MIN_CELL).contains(&n)
}

/// Which cells of a table with margins to suppress.
///
/// `grid` is the table with its margins: `rows + 1` rows of `cols + 1` counts, the last of each
/// row its row's total, the last row the column totals (and the grand total in the corner).
/// Every row and every column of `grid` is a line whose first entries add up to its last.
///
/// A small count is suppressed (primary). Then, so that no suppressed entry can be worked out
/// from the published ones:
/// - a line with exactly one suppressed entry has another suppressed too: the smallest non-zero
///   (a zero only when the line has no other), preferring one that settles a second line;
/// - a suppressed entry that the lines still pin down through a chain of other lines (it is a
///   bridge of the graph whose vertices are the lines and whose edges are the suppressed
///   entries) gets the smallest entry that closes a cycle through it suppressed too;
///
/// repeated until neither applies. Returns `true` for each suppressed entry.
pub fn suppression(grid: &[Vec<i64>]) -> Vec<Vec<bool>> {
    let primary: Vec<Vec<bool>> = grid
        .iter()
        .map(|row| row.iter().map(|&n| is_small(n)).collect())
        .collect();
    suppression_beyond(grid, primary)
}

/// [`suppression`] from another primary suppression: `hidden` marks the entries that must not be
/// published (same shape as `grid`); the complements are added by the same two rules.
pub fn suppression_beyond(grid: &[Vec<i64>], mut hidden: Vec<Vec<bool>>) -> Vec<Vec<bool>> {
    while lone_in_a_line(grid, &mut hidden) || close_a_bridge(grid, &mut hidden) {}
    hidden
}

/// The smallest of `candidates` by count, a non-zero one first.
fn smallest(
    grid: &[Vec<i64>],
    candidates: impl Iterator<Item = (usize, usize)>,
) -> Option<(usize, usize)> {
    candidates.min_by_key(|&(r, c)| (grid[r][c] == 0, grid[r][c]))
}

/// Suppresses a second entry in each line with exactly one; `true` if it suppressed any.
///
/// Of the line's open entries it takes first one whose other line (its column, for a row) also
/// has a lone suppressed entry, which settles both lines with one cell instead of spreading;
/// then the smallest non-zero; then a zero.
fn lone_in_a_line(grid: &[Vec<i64>], hidden: &mut [Vec<bool>]) -> bool {
    let height = grid.len();
    let width = grid.first().map_or(0, Vec::len);
    let mut changed = false;
    let lines = (0..height)
        .map(|r| (true, (0..width).map(|c| (r, c)).collect::<Vec<_>>()))
        .chain((0..width).map(|c| (false, (0..height).map(|r| (r, c)).collect::<Vec<_>>())));
    for (is_row, line) in lines {
        if line.iter().filter(|&&(r, c)| hidden[r][c]).count() != 1 {
            continue;
        }
        let lone_across = |&(r, c): &(usize, usize)| {
            let across = if is_row {
                (0..height).filter(|&i| hidden[i][c]).count()
            } else {
                (0..width).filter(|&j| hidden[r][j]).count()
            };
            across == 1
        };
        let pick = line
            .iter()
            .filter(|&&(r, c)| !hidden[r][c])
            .min_by_key(|&&(r, c)| (!lone_across(&(r, c)), grid[r][c] == 0, grid[r][c]))
            .copied();
        if let Some((r, c)) = pick {
            hidden[r][c] = true;
            changed = true;
        }
    }
    changed
}

/// Finds one suppressed entry that is a bridge and suppresses the smallest open entry joining
/// the two sides it separates; `true` if it did.
fn close_a_bridge(grid: &[Vec<i64>], hidden: &mut [Vec<bool>]) -> bool {
    let height = grid.len();
    let width = grid.first().map_or(0, Vec::len);
    for r in 0..height {
        for c in 0..width {
            if !hidden[r][c] {
                continue;
            }
            let (rows_a, cols_a) = reachable_without(hidden, (r, c), Vertex::Row(r));
            if cols_a[c] {
                continue; // another path joins its row and column: not a bridge
            }
            let (rows_b, cols_b) = reachable_without(hidden, (r, c), Vertex::Column(c));
            let joining = (0..height)
                .flat_map(|i| (0..width).map(move |j| (i, j)))
                .filter(|&(i, j)| {
                    !hidden[i][j] && ((rows_a[i] && cols_b[j]) || (rows_b[i] && cols_a[j]))
                });
            if let Some((i, j)) = smallest(grid, joining) {
                hidden[i][j] = true;
                return true;
            }
        }
    }
    false
}

#[derive(Clone, Copy)]
enum Vertex {
    Row(usize),
    Column(usize),
}

/// The rows and columns reachable from `start` through suppressed entries other than `skip` (a
/// row and a column are joined by each suppressed entry they share).
fn reachable_without(
    hidden: &[Vec<bool>],
    skip: (usize, usize),
    start: Vertex,
) -> (Vec<bool>, Vec<bool>) {
    let height = hidden.len();
    let width = hidden.first().map_or(0, Vec::len);
    let (mut rows, mut cols) = (vec![false; height], vec![false; width]);
    match start {
        Vertex::Row(r) => rows[r] = true,
        Vertex::Column(c) => cols[c] = true,
    }
    let mut todo = vec![start];
    while let Some(v) = todo.pop() {
        let edges: Vec<(usize, usize)> = match v {
            Vertex::Row(k) => (0..width).map(|c| (k, c)).collect(),
            Vertex::Column(k) => (0..height).map(|r| (r, k)).collect(),
        };
        for (r, c) in edges {
            if (r, c) == skip || !hidden[r][c] {
                continue;
            }
            if !cols[c] {
                cols[c] = true;
                todo.push(Vertex::Column(c));
            }
            if !rows[r] {
                rows[r] = true;
                todo.push(Vertex::Row(r));
            }
        }
    }
    (rows, cols)
}

/// A published count: `None` where it is suppressed.
pub type Published = Option<i64>;

/// A two-way table of counts as published: the row and column keys (keywords, province codes,
/// `YYYY-MM` months), its cells, its margins and its grand total, each suppressed as
/// [`suppression`] decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crosstab {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<Published>>,
    pub row_totals: Vec<Published>,
    pub column_totals: Vec<Published>,
    pub total: Published,
}

impl Crosstab {
    /// Publishes `counts[row][column]` under `rows` × `columns`, margins added, cells suppressed.
    pub fn publish(rows: Vec<String>, columns: Vec<String>, counts: &[Vec<i64>]) -> Crosstab {
        let width = columns.len();
        let mut grid: Vec<Vec<i64>> = counts
            .iter()
            .map(|row| {
                let mut line: Vec<i64> = (0..width)
                    .map(|c| row.get(c).copied().unwrap_or(0))
                    .collect();
                line.push(line.iter().sum());
                line
            })
            .collect();
        grid.resize(rows.len(), vec![0; width + 1]);
        let totals: Vec<i64> = (0..=width)
            .map(|c| grid.iter().map(|row| row[c]).sum())
            .collect();
        grid.push(totals);
        let hidden = suppression(&grid);
        let shown = |r: usize, c: usize| (!hidden[r][c]).then_some(grid[r][c]);
        let body = rows.len();
        Crosstab {
            cells: (0..body)
                .map(|r| (0..width).map(|c| shown(r, c)).collect())
                .collect(),
            row_totals: (0..body).map(|r| shown(r, width)).collect(),
            column_totals: (0..width).map(|c| shown(body, c)).collect(),
            total: shown(body, width),
            rows,
            columns,
        }
    }

    /// The published cell at `row`, `column` (keys), if the table has it.
    pub fn cell(&self, row: &str, column: &str) -> Option<Published> {
        let r = self.rows.iter().position(|k| k == row)?;
        let c = self.columns.iter().position(|k| k == column)?;
        self.cells.get(r)?.get(c).copied()
    }

    /// The published total of `row`, if the table has it.
    pub fn row_total(&self, row: &str) -> Option<Published> {
        let r = self.rows.iter().position(|k| k == row)?;
        self.row_totals.get(r).copied()
    }

    /// The published total of `column`, if the table has it.
    pub fn column_total(&self, column: &str) -> Option<Published> {
        let c = self.columns.iter().position(|k| k == column)?;
        self.column_totals.get(c).copied()
    }
}

/// The median of `durations` in days, to a tenth; `None` for fewer than `MIN_CELL` durations
/// (a median of two cases is those cases').
pub fn median_days(mut durations: Vec<TimeDelta>) -> Option<f64> {
    if (durations.len() as i64) < MIN_CELL {
        return None;
    }
    durations.sort();
    let n = durations.len();
    let secs = if n % 2 == 1 {
        durations[n / 2].num_seconds() as f64
    } else {
        (durations[n / 2 - 1].num_seconds() + durations[n / 2].num_seconds()) as f64 / 2.0
    };
    Some((secs / 86_400.0 * 10.0).round() / 10.0)
}

/// A share in percent to a tenth: `part` of `whole`, both published, `whole` non-zero.
pub fn share_percent(part: Published, whole: Published) -> Option<f64> {
    match (part, whole) {
        (Some(p), Some(w)) if w > 0 => Some((p as f64 * 1000.0 / w as f64).round() / 10.0),
        _ => None,
    }
}

/// A rate: `part` of `whole` as a fraction to three decimals (0.775 for 77.5 %), both published,
/// `whole` non-zero.
pub fn rate(part: Published, whole: Published) -> Option<f64> {
    match (part, whole) {
        (Some(p), Some(w)) if w > 0 => Some((p as f64 * 1000.0 / w as f64).round() / 1000.0),
        _ => None,
    }
}

/// The columns of the decisions table.
pub const DECISIONS: [&str; 2] = ["substantiated", "dismissed"];

/// One platform's notices as the refresh counts them: those sent and not withdrawn, and how long
/// each answered one waited for its answer.
#[derive(Debug, Clone, Default)]
pub struct NoticeTally {
    pub sent: i64,
    pub response_times: Vec<TimeDelta>,
}

impl NoticeTally {
    /// Counts one notice sent at `sent_at`, answered at `responded_at` if it was.
    pub fn add(&mut self, sent_at: NaiveDateTime, responded_at: Option<NaiveDateTime>) {
        self.sent += 1;
        if let Some(at) = responded_at {
            self.response_times
                .push((at - sent_at).max(TimeDelta::zero()));
        }
    }

    pub fn answered(&self) -> i64 {
        self.response_times.len() as i64
    }
}

/// One platform's notice figures as published (the `platforms` block of docs/OPEN-DATA.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlatformNotices {
    /// The platform keyword, or `total` for the totals row.
    pub platform: String,
    pub notices_sent: Published,
    pub answered: Published,
    /// `answered` ÷ `notices_sent` (see [`rate`]), where both are published.
    pub response_rate: Option<f64>,
    /// Median days from sending to the answer, to a tenth; `None` under `MIN_CELL` answers.
    pub median_response_days: Option<f64>,
}

impl PlatformNotices {
    /// The response rate in percent, to a tenth, as the page shows it.
    pub fn response_percent(&self) -> Option<f64> {
        share_percent(self.answered, self.notices_sent)
    }
}

/// Publishes each platform's notices, in the order given, and their totals (`total`).
///
/// The unit is the platform: a platform (or the totals) with 1 to `MIN_CELL - 1` notices has its
/// whole row suppressed; with more, its answered count is published even when small (its rate
/// would give it away, and it counts the platform's answers, not reporters). Then the table
/// answered | not answered | notices sent, with its totals row, gets the complementary
/// suppression of [`suppression_beyond`], so no suppressed count follows from the totals.
pub fn publish_platforms(
    tallies: Vec<(String, NoticeTally)>,
) -> (Vec<PlatformNotices>, PlatformNotices) {
    let mut all = NoticeTally::default();
    for (_, t) in &tallies {
        all.sent += t.sent;
        all.response_times.extend(&t.response_times);
    }
    let lines: Vec<(String, NoticeTally)> = tallies
        .into_iter()
        .chain([("total".to_string(), all)])
        .collect();
    let grid: Vec<Vec<i64>> = lines
        .iter()
        .map(|(_, t)| vec![t.answered(), t.sent - t.answered(), t.sent])
        .collect();
    let primary = grid.iter().map(|row| vec![is_small(row[2]); 3]).collect();
    let hidden = suppression_beyond(&grid, primary);
    let mut rows: Vec<PlatformNotices> = lines
        .into_iter()
        .enumerate()
        .map(|(i, (platform, t))| {
            let shown = |c: usize| (!hidden[i][c]).then_some(grid[i][c]);
            let (answered, notices_sent) = (shown(0), shown(2));
            PlatformNotices {
                platform,
                notices_sent,
                answered,
                response_rate: rate(answered, notices_sent),
                median_response_days: median_days(t.response_times),
            }
        })
        .collect();
    let total = rows.pop().unwrap_or_default();
    (rows, total)
}

/// What `/stats`, `/stats/data.json` and `/stats/data.csv` publish, as computed at one time.
/// Stored as JSON in `public_stats`; docs/OPEN-DATA.md is its schema. Later releases add
/// fields (as the per-platform notice figures, `platforms`, were added), never change these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema_version: u32,
    /// When it was computed, RFC 3339 in UTC.
    pub computed_at: String,
    /// Reports that entered the queue, by platform (rows) and category (columns).
    pub platform_category: Crosstab,
    /// Reports filed in the last `MONTHS` China months, by province (rows) and month (columns).
    pub province_month: Crosstab,
    /// Decided cases by platform (rows): substantiated or dismissed (columns, `DECISIONS`).
    pub decisions: Crosstab,
    /// Substantiated of decided, in percent, overall; `None` where a count is suppressed.
    pub share_substantiated_percent: Option<f64>,
    /// Median days from entering the queue to the first decision, `None` under `MIN_CELL` cases.
    pub median_days_to_decision: Option<f64>,
    /// Median days from entering the queue to the first handoff, `None` under `MIN_CELL` cases.
    pub median_days_to_handoff: Option<f64>,
    /// How many decisions and handoffs the medians are of, each suppressed when small.
    pub decided_cases: Published,
    pub handed_off_cases: Published,
    /// Each platform's notices and answers, every platform in `Platform::ALL` order (added to
    /// schema 1 later: a snapshot stored before it reads with none, and is recomputed).
    #[serde(default)]
    pub platforms: Vec<PlatformNotices>,
    /// The same over all platforms (`platform` is `total`).
    #[serde(default)]
    pub platforms_total: PlatformNotices,
}

impl Snapshot {
    /// Substantiated of decided for one platform, in percent, where both are published.
    pub fn platform_share(&self, platform: &str) -> Option<f64> {
        share_percent(
            self.decisions.cell(platform, DECISIONS[0]).flatten(),
            self.decisions.row_total(platform).flatten(),
        )
    }
}

/// A count as published, once: `None` where small.
pub fn published(n: i64) -> Published {
    (!is_small(n)).then_some(n)
}

/// A CSV cell that a spreadsheet would not run as a formula: a text beginning with `=`, `+`,
/// `-`, `@` (or a tab or carriage return, which some read past) gets a leading `'`.
pub fn neutralise_cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize, prefix: &str) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    /// The published table with its margins, as `suppression` sees it.
    fn augmented(t: &Crosstab) -> Vec<Vec<Option<i64>>> {
        let mut grid: Vec<Vec<Option<i64>>> = t
            .cells
            .iter()
            .zip(&t.row_totals)
            .map(|(row, total)| row.iter().copied().chain([*total]).collect())
            .collect();
        grid.push(t.column_totals.iter().copied().chain([t.total]).collect());
        grid
    }

    /// What a reader can learn from the published table: every row and column (margins
    /// included) is an equation, its parts adding up to its total, in the suppressed entries as
    /// unknowns. An unknown is determined exactly when it is a combination of the equations
    /// (its unit vector lies in their span); then the reader solves for it. Returns each
    /// suppressed entry the reader can work out, by Gaussian elimination over the rationals
    /// (the coefficients are 0 and ±1, f64 is exact enough here).
    fn recoverable(t: &Crosstab) -> Vec<(usize, usize)> {
        let grid = augmented(t);
        let (h, w) = (grid.len(), grid[0].len());
        let unknowns: Vec<(usize, usize)> = (0..h)
            .flat_map(|r| (0..w).map(move |c| (r, c)))
            .filter(|&(r, c)| grid[r][c].is_none())
            .collect();
        let index = |rc: (usize, usize)| unknowns.iter().position(|&u| u == rc);
        let mut equations: Vec<Vec<f64>> = Vec::new();
        let lines = (0..h)
            .map(|r| (0..w).map(|c| (r, c)).collect::<Vec<_>>())
            .chain((0..w).map(|c| (0..h).map(|r| (r, c)).collect::<Vec<_>>()));
        for line in lines {
            let mut eq = vec![0.0; unknowns.len()];
            for (k, &rc) in line.iter().enumerate() {
                if let Some(i) = index(rc) {
                    eq[i] = if k + 1 == line.len() { -1.0 } else { 1.0 };
                }
            }
            equations.push(eq);
        }
        let span = rank(equations.clone());
        (0..unknowns.len())
            .filter(|&i| {
                let mut with_unit = equations.clone();
                let mut unit = vec![0.0; unknowns.len()];
                unit[i] = 1.0;
                with_unit.push(unit);
                rank(with_unit) == span
            })
            .map(|i| unknowns[i])
            .collect()
    }

    fn rank(mut m: Vec<Vec<f64>>) -> usize {
        let cols = m.first().map_or(0, Vec::len);
        let mut rank = 0;
        for c in 0..cols {
            let Some(p) = (rank..m.len()).find(|&r| m[r][c].abs() > 1e-9) else {
                continue;
            };
            m.swap(rank, p);
            for r in 0..m.len() {
                if r != rank && m[r][c].abs() > 1e-9 {
                    let f = m[r][c] / m[rank][c];
                    let pivot = m[rank].clone();
                    for (x, p) in m[r].iter_mut().zip(&pivot) {
                        *x -= f * p;
                    }
                }
            }
            rank += 1;
        }
        rank
    }

    fn suppressed_count(t: &Crosstab) -> usize {
        let cells = t.cells.iter().flatten().filter(|c| c.is_none()).count();
        cells
            + t.row_totals.iter().filter(|c| c.is_none()).count()
            + t.column_totals.iter().filter(|c| c.is_none()).count()
            + usize::from(t.total.is_none())
    }

    /// A small deterministic generator (xorshift), so the tables below are the same every run.
    struct Counts(u64);
    impl Counts {
        fn next(&mut self, below: u64) -> i64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % below) as i64
        }
    }

    #[test]
    fn counts_from_one_to_four_are_suppressed_and_zero_and_five_are_not() {
        assert!(!is_small(0));
        for n in 1..=4 {
            assert!(is_small(n), "{n}");
        }
        assert!(!is_small(5));
        assert_eq!(published(3), None);
        assert_eq!(published(0), Some(0));
        assert_eq!(published(12), Some(12));
    }

    #[test]
    fn a_lone_small_cell_takes_the_next_smallest_of_its_row_and_column_with_it() {
        let t = Crosstab::publish(
            keys(2, "r"),
            keys(3, "c"),
            &[vec![3, 10, 20], vec![7, 8, 30]],
        );
        // Row 0: 3 hidden, so 10 (its smallest other); column 0: 3 hidden, so 7.
        assert_eq!(t.cells[0], vec![None, None, Some(20)]);
        // Column 1 then has 10 alone hidden: its next smallest, 8, goes too.
        assert_eq!(t.cells[1], vec![None, None, Some(30)]);
        assert_eq!(t.row_totals, vec![Some(33), Some(45)]);
        assert_eq!(t.column_totals, vec![Some(10), Some(18), Some(50)]);
        assert_eq!(t.total, Some(78));
    }

    #[test]
    fn a_small_total_is_suppressed_and_so_is_a_cell_beside_it() {
        // Row 0 adds up to 3: its total is small, and its two cells (0 and 3) are the line.
        let t = Crosstab::publish(keys(2, "r"), keys(2, "c"), &[vec![0, 3], vec![9, 6]]);
        assert_eq!(t.row_totals[0], None);
        assert_eq!(t.cells[0][1], None);
        assert_eq!(recoverable(&t), vec![]);
    }

    #[test]
    fn a_complement_that_settles_two_lines_is_taken_before_a_smaller_one_that_spreads() {
        // Taobao 7 and Pinduoduo 2 in one category, JD 6 in another: hiding Taobao's 7 and its
        // total protects the 2; JD's 6 (smaller than 7) stays published.
        let mut g = vec![vec![0; 4]; 3];
        g[0][1] = 7;
        g[1][3] = 6;
        g[2][1] = 2;
        let t = Crosstab::publish(keys(3, "r"), keys(4, "c"), &g);
        assert_eq!(t.cells[0][1], None);
        assert_eq!(t.cells[2][1], None);
        assert_eq!(t.row_totals, vec![None, Some(6), None]);
        assert_eq!(t.cells[1][3], Some(6));
        assert_eq!(t.column_totals, vec![Some(0), Some(9), Some(0), Some(6)]);
        assert_eq!(t.total, Some(15));
        assert_eq!(recoverable(&t), vec![]);
    }

    #[test]
    fn a_table_with_nothing_small_is_published_whole() {
        let t = Crosstab::publish(keys(2, "r"), keys(2, "c"), &[vec![5, 0], vec![9, 16]]);
        assert_eq!(suppressed_count(&t), 0);
        assert_eq!(t.total, Some(30));
    }

    #[test]
    fn no_suppressed_cell_can_be_recovered_from_the_published_totals() {
        // The proof by attack: for thousands of tables of every shape, with many small counts,
        // a reader who solves the rows and columns (margins included) as a system of equations
        // never learns a suppressed entry, and every small count is suppressed.
        let mut counts = Counts(0x5eed_cafe);
        let mut tables_with_suppression = 0;
        for round in 0..4000 {
            let (h, w) = (1 + round % 5, 1 + (round / 5) % 6);
            let grid: Vec<Vec<i64>> = (0..h)
                .map(|_| {
                    (0..w)
                        .map(|_| match counts.next(4) {
                            0 => 0,
                            1 => counts.next(5),
                            _ => counts.next(40),
                        })
                        .collect()
                })
                .collect();
            let t = Crosstab::publish(keys(h, "r"), keys(w, "c"), &grid);
            assert_eq!(recoverable(&t), vec![], "recovered from {grid:?}: {t:?}");
            for entry in augmented(&t).into_iter().flatten().flatten() {
                assert!(!is_small(entry), "{grid:?}: {t:?}");
            }
            if suppressed_count(&t) > 0 {
                tables_with_suppression += 1;
            }
        }
        // The attack was tried on tables that had something to hide.
        assert!(tables_with_suppression > 2000, "{tables_with_suppression}");
    }

    #[test]
    fn without_complementary_suppression_the_attack_does_recover_a_cell() {
        // The attack itself works: a table with only its small cell (and the column total it
        // makes small) hidden gives both away.
        let t = Crosstab {
            rows: keys(1, "r"),
            columns: keys(2, "c"),
            cells: vec![vec![None, Some(10)]],
            row_totals: vec![Some(13)],
            column_totals: vec![None, Some(10)],
            total: Some(13),
        };
        assert_eq!(recoverable(&t), vec![(0, 0), (1, 0)]);
    }

    #[test]
    fn medians_are_in_days_and_need_five_cases() {
        let days = |d: &[i64]| d.iter().map(|&n| TimeDelta::days(n)).collect::<Vec<_>>();
        assert_eq!(median_days(days(&[1, 2, 3, 4])), None);
        assert_eq!(median_days(days(&[9, 1, 3, 2, 4])), Some(3.0));
        assert_eq!(median_days(days(&[1, 2, 3, 4, 5, 6])), Some(3.5));
        assert_eq!(
            median_days(vec![TimeDelta::hours(36); 5]),
            Some(1.5),
            "fractions of a day"
        );
    }

    #[test]
    fn shares_need_both_counts_published() {
        assert_eq!(share_percent(Some(5), Some(20)), Some(25.0));
        assert_eq!(share_percent(Some(2), Some(3)), Some(66.7));
        assert_eq!(share_percent(None, Some(20)), None);
        assert_eq!(share_percent(Some(0), Some(0)), None);
    }

    #[test]
    fn formula_looking_cells_are_neutralised_and_others_left_alone() {
        for bad in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(neutralise_cell(bad), format!("'{bad}"));
        }
        for good in ["淘宝", "taobao", "330000", "2026-12", "12", "", "a=b"] {
            assert_eq!(neutralise_cell(good), good);
        }
    }

    #[test]
    fn a_snapshot_reads_back_from_its_json_and_a_later_field_is_ignored() {
        let t = Crosstab::publish(keys(1, "r"), keys(1, "c"), &[vec![7]]);
        let s = Snapshot {
            schema_version: SCHEMA_VERSION,
            computed_at: "2026-12-02T07:00:00Z".into(),
            platform_category: t.clone(),
            province_month: t.clone(),
            decisions: t,
            share_substantiated_percent: None,
            median_days_to_decision: Some(2.5),
            median_days_to_handoff: None,
            decided_cases: Some(7),
            handed_off_cases: None,
            platforms: vec![],
            platforms_total: PlatformNotices::default(),
        };
        let mut json = serde_json::to_value(&s).unwrap_or_default();
        assert_eq!(
            serde_json::from_value::<Snapshot>(json.clone()).ok(),
            Some(s.clone())
        );
        json["a_later_field"] = serde_json::json!([]);
        assert_eq!(serde_json::from_value::<Snapshot>(json).ok(), Some(s));
    }

    #[test]
    fn a_snapshot_stored_before_the_platforms_block_reads_with_none() {
        let t = Crosstab::publish(keys(1, "r"), keys(1, "c"), &[vec![7]]);
        let mut json = serde_json::json!({
            "schema_version": 1,
            "computed_at": "2026-12-02T07:00:00Z",
            "share_substantiated_percent": null,
            "median_days_to_decision": null,
            "median_days_to_handoff": null,
            "decided_cases": 0,
            "handed_off_cases": 0,
        });
        for table in ["platform_category", "province_month", "decisions"] {
            json[table] = serde_json::to_value(&t).unwrap_or_default();
        }
        let s = serde_json::from_value::<Snapshot>(json).ok();
        assert_eq!(s.map(|s| s.platforms.len()), Some(0));
    }

    /// A tally of `sent` notices, one answered after each of `days`.
    fn tally(sent: i64, days: &[f64]) -> NoticeTally {
        let at = chrono::DateTime::UNIX_EPOCH.naive_utc();
        let mut t = NoticeTally::default();
        for (i, d) in (0..sent).map(|i| (i, days.get(i as usize))) {
            let answered = d.map(|&d| at + TimeDelta::minutes((d * 1440.0) as i64));
            t.add(
                at + TimeDelta::seconds(i),
                answered.map(|a| a + TimeDelta::seconds(i)),
            );
        }
        t
    }

    /// The published notice figures as the table a reader solves: answered | not answered
    /// (known where both its neighbours are) | notices sent, with the totals row.
    fn notices_table(rows: &[PlatformNotices], total: &PlatformNotices) -> Crosstab {
        let line = |p: &PlatformNotices| {
            let unanswered = p.notices_sent.zip(p.answered).map(|(s, a)| s - a);
            (vec![p.answered, unanswered], p.notices_sent)
        };
        let (cells, row_totals) = rows.iter().map(line).unzip();
        let (column_totals, total_sent) = line(total);
        Crosstab {
            rows: rows.iter().map(|p| p.platform.clone()).collect(),
            columns: keys(2, "c"),
            cells,
            row_totals,
            column_totals,
            total: total_sent,
        }
    }

    #[test]
    fn a_platforms_rate_is_answered_of_sent_and_its_median_needs_five_answers() {
        let (rows, total) = publish_platforms(vec![
            ("taobao".into(), tally(8, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
            ("jd".into(), tally(6, &[0.5, 1.0, 2.0, 2.0, 10.0])),
            ("douyin".into(), tally(20, &[3.0, 4.0])),
            ("kuaishou".into(), tally(0, &[])),
        ]);
        let taobao = &rows[0];
        assert_eq!((taobao.notices_sent, taobao.answered), (Some(8), Some(6)));
        assert_eq!(taobao.response_rate, Some(0.75));
        assert_eq!(taobao.response_percent(), Some(75.0));
        assert_eq!(taobao.median_response_days, Some(3.5));
        assert_eq!(rows[1].response_rate, Some(0.833));
        assert_eq!(rows[1].median_response_days, Some(2.0));
        // 2 answers of 20 notices: the count and the rate are the platform's, published; two
        // answers make no median.
        assert_eq!(rows[2].answered, Some(2));
        assert_eq!(rows[2].response_rate, Some(0.1));
        assert_eq!(rows[2].median_response_days, None);
        assert_eq!(
            (rows[3].notices_sent, rows[3].response_rate),
            (Some(0), None)
        );
        assert_eq!(total.platform, "total");
        assert_eq!((total.notices_sent, total.answered), (Some(34), Some(13)));
        assert_eq!(total.response_rate, Some(0.382));
        assert_eq!(total.median_response_days, Some(3.0));
    }

    #[test]
    fn a_platform_with_one_to_four_notices_is_suppressed_and_cannot_be_worked_out() {
        let (rows, total) = publish_platforms(vec![
            ("taobao".into(), tally(8, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
            ("jd".into(), tally(6, &[0.5, 1.0, 2.0, 2.0, 10.0])),
            ("pinduoduo".into(), tally(3, &[1.0])),
            ("douyin".into(), tally(5, &[3.0, 4.0])),
            ("kuaishou".into(), tally(0, &[])),
        ]);
        let pdd = &rows[2];
        assert_eq!((pdd.notices_sent, pdd.answered), (None, None));
        assert_eq!((pdd.response_rate, pdd.median_response_days), (None, None));
        // Douyin, the smallest beside it, goes with it; the others and the totals stay.
        assert_eq!((rows[3].notices_sent, rows[3].answered), (None, None));
        assert_eq!(rows[0].response_rate, Some(0.75));
        assert_eq!(rows[1].notices_sent, Some(6));
        assert_eq!((total.notices_sent, total.answered), (Some(22), Some(14)));
        assert_eq!(total.median_response_days, Some(2.5));
        assert_eq!(recoverable(&notices_table(&rows, &total)), vec![]);
    }

    #[test]
    fn no_suppressed_notice_count_can_be_recovered_from_the_totals() {
        let mut counts = Counts(0x0bad_5eed);
        let mut with_suppression = 0;
        for round in 0..3000 {
            let platforms = 1 + round % 7;
            let tallies: Vec<(String, NoticeTally)> = (0..platforms)
                .map(|i| {
                    let sent = match counts.next(3) {
                        0 => counts.next(5),
                        _ => counts.next(30),
                    };
                    let answered = counts.next(sent as u64 + 1) as usize;
                    (format!("p{i}"), tally(sent, &vec![1.0; answered]))
                })
                .collect();
            let sent: Vec<i64> = tallies.iter().map(|(_, t)| t.sent).collect();
            let (rows, total) = publish_platforms(tallies);
            let table = notices_table(&rows, &total);
            assert_eq!(recoverable(&table), vec![], "{sent:?}: {rows:?} {total:?}");
            for (n, row) in sent.iter().zip(&rows) {
                if is_small(*n) {
                    assert_eq!((row.notices_sent, row.answered), (None, None), "{sent:?}");
                }
            }
            if suppressed_count(&table) > 0 {
                with_suppression += 1;
            }
        }
        assert!(with_suppression > 1000, "{with_suppression}");
    }
}
