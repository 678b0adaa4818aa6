//! The campaign graph: a campaign's cases, the merchants and contacts they share and the links
//! between cases, placed in three columns for an SVG drawn on the server (readable without
//! script), and the same facts as table rows. Pure: the page gathers the facts, this places them.

use crate::domain::contact::ContactKind;
use crate::domain::links::LinkReason;
use crate::domain::{CaseStatus, Platform};
use crate::i18n::Messages;

/// One case of the campaign.
#[derive(Debug, Clone)]
pub struct GraphCase {
    pub number: String,
    pub status: CaseStatus,
    pub platform: Platform,
    pub shop_name: String,
    /// Where the case's node and row link: its officer page, or its folder's summary in a
    /// package.
    pub href: String,
}

/// A merchant (shop) named by some of the cases; `cases` are indices into `GraphInput::cases`.
#[derive(Debug, Clone)]
pub struct GraphMerchant {
    pub label: String,
    pub href: String,
    pub cases: Vec<usize>,
}

/// A contact found in some of the cases; `shown` is already masked.
#[derive(Debug, Clone)]
pub struct GraphContact {
    pub kind: ContactKind,
    pub shown: String,
    pub cases: Vec<usize>,
}

/// A link between two cases (`a`, `b`: indices into `GraphInput::cases`), such as a similar
/// screenshot or text.
#[derive(Debug, Clone)]
pub struct GraphLink {
    pub a: usize,
    pub b: usize,
    pub reason: LinkReason,
}

/// Everything the graph and its table show. Indices out of range are ignored.
#[derive(Debug, Clone, Default)]
pub struct GraphInput {
    pub cases: Vec<GraphCase>,
    pub merchants: Vec<GraphMerchant>,
    pub contacts: Vec<GraphContact>,
    pub links: Vec<GraphLink>,
}

/// What a node stands for, with what its `<title>` and its class need.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Case {
        status: CaseStatus,
        platform: Platform,
        shop_name: String,
    },
    Merchant,
    Contact {
        kind: ContactKind,
    },
}

/// A shape with its label. `x`, `y` is the shape's centre.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    pub x: i32,
    pub y: i32,
    /// The label as drawn, cut to fit its column.
    pub label: String,
    /// The full text (case number, merchant name, masked contact), for `<title>`.
    pub title: String,
    pub href: Option<String>,
    /// Where the label starts (`text-anchor` start) or ends (end).
    pub label_x: i32,
    pub anchor: &'static str,
}

impl Node {
    /// Half the size of every shape.
    pub fn r(&self) -> i32 {
        NODE_R
    }

    /// The top left corner and the side of a merchant's square.
    pub fn square_x(&self) -> i32 {
        self.x - NODE_R
    }

    pub fn square_y(&self) -> i32 {
        self.y - NODE_R
    }

    pub fn side(&self) -> i32 {
        2 * NODE_R
    }

    /// The `points` of a contact's diamond.
    pub fn diamond(&self) -> String {
        let (x, y, r) = (self.x, self.y, NODE_R + 1);
        format!("{x},{} {},{y} {x},{} {},{y}", y - r, x + r, y + r, x - r)
    }

    /// The label with `prefix` before it (a contact's kind in words), cut to fit the column.
    pub fn label_after(&self, prefix: &str) -> String {
        fit(&format!("{prefix} {}", self.title), CONTACT_LABEL_UNITS)
    }

    /// The class naming the kind (and a case's status) for the stylesheet.
    pub fn class(&self) -> String {
        match &self.kind {
            NodeKind::Case { status, .. } => format!("node node-case graph-status-{status}"),
            NodeKind::Merchant => "node node-merchant".into(),
            NodeKind::Contact { kind } => format!("node node-contact contact-{kind}"),
        }
    }
}

/// What an edge joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// A merchant and a case naming it.
    Merchant,
    /// A case and a contact found in it.
    Contact,
    /// Two cases, for this reason (an arc beside the case column).
    Link(LinkReason),
}

/// A line between two nodes (indices into `Graph::nodes`), from (`x1`, `y1`) to (`x2`, `y2`),
/// drawn along `path` (SVG path data).
#[derive(Debug, Clone)]
pub struct Edge {
    pub kind: EdgeKind,
    pub from: usize,
    pub to: usize,
    pub x1: i32,
    pub y1: i32,
    pub x2: i32,
    pub y2: i32,
    pub path: String,
    /// The two ends' names, for `<title>`.
    pub title: String,
}

impl Edge {
    pub fn class(&self) -> String {
        match self.kind {
            EdgeKind::Merchant => "edge edge-merchant".into(),
            EdgeKind::Contact => "edge edge-contact".into(),
            EdgeKind::Link(reason) => format!("edge edge-link link-{reason}"),
        }
    }

    pub fn reason(&self) -> Option<LinkReason> {
        match self.kind {
            EdgeKind::Link(reason) => Some(reason),
            _ => None,
        }
    }
}

/// What the template draws: a fixed width, a height that grows with the longest column.
#[derive(Debug, Clone)]
pub struct Graph {
    pub width: i32,
    pub height: i32,
    /// Merchants, then cases, then contacts, each column top to bottom.
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// How many of each are drawn (merchants and contacts naming no case of the input are not).
    pub cases: usize,
    pub merchants: usize,
    pub contacts: usize,
    /// The statuses and link reasons drawn, in their declared order, for the legend.
    pub statuses: Vec<CaseStatus>,
    pub reasons: Vec<LinkReason>,
}

impl Graph {
    /// The SVG's `<desc>`: how many cases, merchants and contacts, and how they are placed.
    pub fn description(&self, m: &Messages) -> String {
        m.t("campaign_graph.desc")
            .replace("{0}", &self.cases.to_string())
            .replace("{1}", &self.merchants.to_string())
            .replace("{2}", &self.contacts.to_string())
    }

    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", self.width, self.height)
    }

    /// Where the column headings go: above the shapes, aligned with each column's labels.
    pub fn head_y(&self) -> i32 {
        HEAD_Y
    }

    pub fn merchant_head_x(&self) -> i32 {
        MERCHANT_X + NODE_R
    }

    pub fn case_head_x(&self) -> i32 {
        CASE_X - NODE_R
    }

    pub fn contact_head_x(&self) -> i32 {
        CONTACT_X - NODE_R
    }
}

/// One row of the table under the graph: a case and everything the graph joins to it.
pub struct TableRow<'a> {
    pub case: &'a GraphCase,
    pub merchants: Vec<&'a GraphMerchant>,
    pub contacts: Vec<&'a GraphContact>,
    pub links: Vec<LinkedCase<'a>>,
}

/// Another case of the campaign a row's case is linked to, and every reason why.
pub struct LinkedCase<'a> {
    pub number: &'a str,
    pub href: &'a str,
    pub reasons: Vec<LinkReason>,
}

impl GraphInput {
    /// The same facts as the graph, one row per case in input order.
    pub fn table(&self) -> Vec<TableRow<'_>> {
        let n = self.cases.len();
        let links = distinct_links(&self.links, n);
        self.cases
            .iter()
            .enumerate()
            .map(|(i, case)| {
                let mut linked: Vec<LinkedCase<'_>> = Vec::new();
                for &(a, b, reason) in &links {
                    let other = match (a == i, b == i) {
                        (true, _) => b,
                        (_, true) => a,
                        _ => continue,
                    };
                    let number = self.cases[other].number.as_str();
                    let href = self.cases[other].href.as_str();
                    match linked.iter_mut().find(|l| l.number == number) {
                        Some(l) if !l.reasons.contains(&reason) => l.reasons.push(reason),
                        Some(_) => {}
                        None => linked.push(LinkedCase {
                            number,
                            href,
                            reasons: vec![reason],
                        }),
                    }
                }
                TableRow {
                    case,
                    merchants: self
                        .merchants
                        .iter()
                        .filter(|m| m.cases.contains(&i))
                        .collect(),
                    contacts: self
                        .contacts
                        .iter()
                        .filter(|c| c.cases.contains(&i))
                        .collect(),
                    links: linked,
                }
            })
            .collect()
    }
}

/// The drawing's width; the height grows with the longest column. The SVG scales by its viewBox.
pub const WIDTH: i32 = 1000;
/// Vertical distance between two nodes of a column: more than a label's height.
const PITCH: i32 = 28;
const HEAD_Y: i32 = 22;
/// The first row, below the column headings.
const TOP: i32 = 52;
const BOTTOM: i32 = 24;
const MERCHANT_X: i32 = 240;
const CASE_X: i32 = 480;
const CONTACT_X: i32 = 760;
const NODE_R: i32 = 8;
const LABEL_GAP: i32 = 6;
/// Label room, in units of a narrow character (a CJK character counts two).
const MERCHANT_LABEL_UNITS: usize = 28;
const CASE_LABEL_UNITS: usize = 18;
const CONTACT_LABEL_UNITS: usize = 28;
/// Width of one unit at the labels' 12px, in tenths of a pixel (generous: labels must not run
/// into their neighbours).
const UNIT_TENTHS: i32 = 75;
/// Barycentre passes over the three columns; the best ordering seen is kept.
const PASSES: usize = 12;

/// Places the input's nodes and edges. Deterministic: the same input gives the same drawing.
pub fn layout(input: &GraphInput) -> Graph {
    let n = input.cases.len();
    // Merchants and contacts naming no case of the input have nothing to join: not drawn.
    let merchants: Vec<(usize, Vec<usize>)> = input
        .merchants
        .iter()
        .enumerate()
        .map(|(i, m)| (i, valid_cases(&m.cases, n)))
        .filter(|(_, cases)| !cases.is_empty())
        .collect();
    let contacts: Vec<(usize, Vec<usize>)> = input
        .contacts
        .iter()
        .enumerate()
        .map(|(i, c)| (i, valid_cases(&c.cases, n)))
        .filter(|(_, cases)| !cases.is_empty())
        .collect();
    let links = distinct_links(&input.links, n);

    let sides = Sides {
        merchants: merchants.iter().map(|(_, c)| c.clone()).collect(),
        contacts: contacts.iter().map(|(_, c)| c.clone()).collect(),
        links: links.iter().map(|&(a, b, _)| (a, b)).collect(),
        cases: n,
    };
    let order = sides.order();
    let ys = sides.place(&order);

    let mut nodes = Vec::with_capacity(n + merchants.len() + contacts.len());
    let mut merchant_node = vec![0; merchants.len()];
    for (pos, &m) in order.merchants.iter().enumerate() {
        let source = &input.merchants[merchants[m].0];
        merchant_node[m] = nodes.len();
        nodes.push(Node {
            kind: NodeKind::Merchant,
            x: MERCHANT_X,
            y: ys.merchants[pos],
            label: fit(&source.label, MERCHANT_LABEL_UNITS),
            title: one_line(&source.label),
            href: (!source.href.is_empty()).then(|| source.href.clone()),
            label_x: MERCHANT_X - NODE_R - LABEL_GAP,
            anchor: "end",
        });
    }
    let mut case_node = vec![0; n];
    for (pos, &c) in order.cases.iter().enumerate() {
        let case = &input.cases[c];
        case_node[c] = nodes.len();
        nodes.push(Node {
            kind: NodeKind::Case {
                status: case.status,
                platform: case.platform,
                shop_name: one_line(&case.shop_name),
            },
            x: CASE_X,
            y: ys.cases[pos],
            label: fit(&case.number, CASE_LABEL_UNITS),
            title: one_line(&case.number),
            href: (!case.href.is_empty()).then(|| case.href.clone()),
            label_x: CASE_X + NODE_R + LABEL_GAP,
            anchor: "start",
        });
    }
    let mut contact_node = vec![0; contacts.len()];
    for (pos, &k) in order.contacts.iter().enumerate() {
        let source = &input.contacts[contacts[k].0];
        contact_node[k] = nodes.len();
        nodes.push(Node {
            kind: NodeKind::Contact { kind: source.kind },
            x: CONTACT_X,
            y: ys.contacts[pos],
            label: fit(&source.shown, CONTACT_LABEL_UNITS),
            title: one_line(&source.shown),
            href: None,
            label_x: CONTACT_X + NODE_R + LABEL_GAP,
            anchor: "start",
        });
    }

    let mut edges = Vec::new();
    for (m, (_, cases)) in merchants.iter().enumerate() {
        for &c in cases {
            edges.push(side_edge(
                EdgeKind::Merchant,
                &nodes,
                merchant_node[m],
                case_node[c],
            ));
        }
    }
    for (k, (_, cases)) in contacts.iter().enumerate() {
        for &c in cases {
            edges.push(side_edge(
                EdgeKind::Contact,
                &nodes,
                case_node[c],
                contact_node[k],
            ));
        }
    }
    let mut previous: Option<(usize, usize)> = None;
    let mut nth = 0;
    for &(a, b, reason) in &links {
        // Two reasons for one pair: the second arc a little wider than the first.
        nth = if previous == Some((a, b)) { nth + 1 } else { 0 };
        previous = Some((a, b));
        edges.push(arc(reason, &nodes, case_node[a], case_node[b], nth));
    }

    let mut statuses: Vec<CaseStatus> = CaseStatus::ALL
        .iter()
        .copied()
        .filter(|s| input.cases.iter().any(|c| c.status == *s))
        .collect();
    statuses.dedup();
    let reasons = LinkReason::ALL
        .iter()
        .copied()
        .filter(|r| links.iter().any(|l| l.2 == *r))
        .collect();
    Graph {
        width: WIDTH,
        height: ys.height,
        nodes,
        edges,
        cases: n,
        merchants: merchants.len(),
        contacts: contacts.len(),
        statuses,
        reasons,
    }
}

/// The distinct valid case indices, in the order given.
fn valid_cases(cases: &[usize], n: usize) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(cases.len());
    for &c in cases {
        if c < n && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Links between two different valid cases, each pair as (lower, higher) and each reason once,
/// sorted by pair then reason.
fn distinct_links(links: &[GraphLink], n: usize) -> Vec<(usize, usize, LinkReason)> {
    let rank = |r: LinkReason| LinkReason::ALL.iter().position(|x| *x == r);
    let mut out: Vec<(usize, usize, LinkReason)> = links
        .iter()
        .filter(|l| l.a < n && l.b < n && l.a != l.b)
        .map(|l| (l.a.min(l.b), l.a.max(l.b), l.reason))
        .collect();
    out.sort_by_key(|&(a, b, r)| (a, b, rank(r)));
    out.dedup();
    out
}

/// A merchant–case or case–contact edge: a smooth S from the left node's right side to the
/// right node's left side. Contact edges leave a case after its label.
fn side_edge(kind: EdgeKind, nodes: &[Node], left: usize, right: usize) -> Edge {
    let (l, r) = (&nodes[left], &nodes[right]);
    let x1 = match l.kind {
        NodeKind::Case { .. } => l.label_x + label_width(&l.label) + 4,
        _ => l.x + NODE_R,
    };
    let x2 = r.x - NODE_R - 1;
    let (y1, y2) = (l.y, r.y);
    let mid = (x1 + x2) / 2;
    Edge {
        kind,
        from: left,
        to: right,
        x1,
        y1,
        x2,
        y2,
        path: format!("M{x1} {y1}C{mid} {y1} {mid} {y2} {x2} {y2}"),
        title: format!("{} — {}", l.title, r.title),
    }
}

/// A case–case link: an arc left of the case column, wider the farther apart the two cases are
/// (so nested arcs do not lie on each other), kept clear of the merchant column.
fn arc(reason: LinkReason, nodes: &[Node], a: usize, b: usize, nth: usize) -> Edge {
    let (na, nb) = (&nodes[a], &nodes[b]);
    let x = CASE_X - NODE_R - 1;
    let (y1, y2) = (na.y, nb.y);
    let reach = MAX_ARC_REACH.min(18 + (y2 - y1).abs() / 5) + 10 * nth.min(3) as i32;
    // A cubic with both control points `bulge` away reaches 3/4 of it.
    let bulge = reach * 4 / 3;
    let cx = x - bulge;
    Edge {
        kind: EdgeKind::Link(reason),
        from: a,
        to: b,
        x1: x,
        y1,
        x2: x,
        y2,
        path: format!("M{x} {y1}C{cx} {y1} {cx} {y2} {x} {y2}"),
        title: format!("{} — {}", na.title, nb.title),
    }
}

/// How far left of the case column an arc may reach: about half way to the merchants.
const MAX_ARC_REACH: i32 = 110;

/// The cases' neighbours, by position in the layout's own lists.
struct Sides {
    cases: usize,
    merchants: Vec<Vec<usize>>,
    contacts: Vec<Vec<usize>>,
    links: Vec<(usize, usize)>,
}

/// Each column top to bottom, as indices into `Sides`' lists (cases: into the input).
#[derive(Clone)]
struct Order {
    merchants: Vec<usize>,
    cases: Vec<usize>,
    contacts: Vec<usize>,
}

/// Each column's y, in `Order`'s order.
struct Ys {
    merchants: Vec<i32>,
    cases: Vec<i32>,
    contacts: Vec<i32>,
    height: i32,
}

impl Sides {
    /// Orders the columns to reduce crossings: a few barycentre passes (each node moves to the
    /// mean position of its neighbours), keeping the ordering with the fewest crossings (then
    /// the shortest arcs) seen.
    fn order(&self) -> Order {
        let mut case_merchants = vec![Vec::new(); self.cases];
        for (m, cases) in self.merchants.iter().enumerate() {
            for &c in cases {
                case_merchants[c].push(m);
            }
        }
        let mut case_contacts = vec![Vec::new(); self.cases];
        for (k, cases) in self.contacts.iter().enumerate() {
            for &c in cases {
                case_contacts[c].push(k);
            }
        }
        let mut case_links = vec![Vec::new(); self.cases];
        for &(a, b) in &self.links {
            case_links[a].push(b);
            case_links[b].push(a);
        }

        let cases: Vec<usize> = (0..self.cases).collect();
        let case_pos = positions(&cases);
        let mut order = Order {
            merchants: by_barycentre(&(0..self.merchants.len()).collect::<Vec<_>>(), |m| {
                mean(&self.merchants[m], &case_pos)
            }),
            contacts: by_barycentre(&(0..self.contacts.len()).collect::<Vec<_>>(), |k| {
                mean(&self.contacts[k], &case_pos)
            }),
            cases,
        };
        let mut best = (self.cost(&order), order.clone());
        for _ in 0..PASSES {
            let m_pos = positions(&order.merchants);
            let k_pos = positions(&order.contacts);
            let c_pos = positions(&order.cases);
            order.cases = by_barycentre(&order.cases, |c| {
                let parts = [
                    mean(&case_merchants[c], &m_pos),
                    mean(&case_contacts[c], &k_pos),
                    mean(&case_links[c], &c_pos),
                ];
                let known: Vec<f64> = parts.into_iter().flatten().collect();
                (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
            });
            let c_pos = positions(&order.cases);
            order.merchants = by_barycentre(&order.merchants, |m| mean(&self.merchants[m], &c_pos));
            order.contacts = by_barycentre(&order.contacts, |k| mean(&self.contacts[k], &c_pos));
            let cost = self.cost(&order);
            if cost < best.0 {
                best = (cost, order.clone());
            }
        }
        best.1
    }

    /// Crossings between the columns, then the arcs' total span.
    fn cost(&self, order: &Order) -> (usize, usize) {
        let c_pos = rank_of(&order.cases, self.cases);
        let m_pos = rank_of(&order.merchants, self.merchants.len());
        let k_pos = rank_of(&order.contacts, self.contacts.len());
        let pairs = |side: &[Vec<usize>], side_pos: &[usize]| -> Vec<(usize, usize)> {
            side.iter()
                .enumerate()
                .flat_map(|(s, cases)| cases.iter().map(move |&c| (s, c)))
                .map(|(s, c)| (side_pos[s], c_pos[c]))
                .collect()
        };
        let crossings = crossings(pairs(&self.merchants, &m_pos), self.cases)
            + crossings(pairs(&self.contacts, &k_pos), self.cases);
        let span = self
            .links
            .iter()
            .map(|&(a, b)| c_pos[a].abs_diff(c_pos[b]))
            .sum();
        (crossings, span)
    }

    /// The y of every node: the longest column evenly spaced, the others as near their
    /// neighbours' mean as spacing allows, never closer than `PITCH`.
    fn place(&self, order: &Order) -> Ys {
        let rows = self
            .cases
            .max(self.merchants.len())
            .max(self.contacts.len())
            .max(1);
        let bottom = TOP + (rows as i32 - 1) * PITCH;
        let column = Column { rows, bottom };
        let mut ys = Ys {
            merchants: Vec::new(),
            cases: Vec::new(),
            contacts: Vec::new(),
            height: bottom + BOTTOM + NODE_R,
        };
        let case_side = |order_side: &[usize], side: &[Vec<usize>]| {
            let mut of_case: Vec<Vec<usize>> = vec![Vec::new(); self.cases];
            for (pos, &s) in order_side.iter().enumerate() {
                for &c in &side[s] {
                    of_case[c].push(pos);
                }
            }
            of_case
        };
        if self.cases == rows {
            ys.cases = column.even(self.cases);
        } else if self.merchants.len() == rows {
            ys.merchants = column.even(rows);
            let near = case_side(&order.merchants, &self.merchants);
            ys.cases = column.near(&order.cases, |c| mean_y(&near[c], &ys.merchants));
        } else {
            ys.contacts = column.even(rows);
            let near = case_side(&order.contacts, &self.contacts);
            ys.cases = column.near(&order.cases, |c| mean_y(&near[c], &ys.contacts));
        }
        let case_y: Vec<i32> = {
            let mut by_case = vec![0; self.cases];
            for (pos, &c) in order.cases.iter().enumerate() {
                by_case[c] = ys.cases[pos];
            }
            by_case
        };
        if ys.merchants.is_empty() {
            ys.merchants = column.near(&order.merchants, |m| mean_y(&self.merchants[m], &case_y));
        }
        if ys.contacts.is_empty() {
            ys.contacts = column.near(&order.contacts, |k| mean_y(&self.contacts[k], &case_y));
        }
        ys
    }
}

/// A column's room: `rows` places from `TOP` to `bottom`.
struct Column {
    rows: usize,
    bottom: i32,
}

impl Column {
    fn even(&self, count: usize) -> Vec<i32> {
        (0..count).map(|i| TOP + i as i32 * PITCH).collect()
    }

    /// Each item of `order` as near its wished y as it can be, in order, `PITCH` apart, within
    /// the column. An item with no wish takes its share of the column by position.
    fn near(&self, order: &[usize], wish: impl Fn(usize) -> Option<i32>) -> Vec<i32> {
        let count = order.len();
        let span = (self.rows as f64 - 1.0) * PITCH as f64;
        let mut ys: Vec<i32> = order
            .iter()
            .enumerate()
            .map(|(pos, &item)| {
                wish(item).unwrap_or_else(|| {
                    let share = (pos as f64 + 0.5) / count as f64;
                    TOP + (share * span).round() as i32
                })
            })
            .collect();
        // Push down what is too close to the one above, then up from the bottom: there is room
        // for all (count ≤ rows), so both passes keep every pair `PITCH` apart within the column.
        for i in 0..count {
            let floor = if i == 0 { TOP } else { ys[i - 1] + PITCH };
            ys[i] = ys[i].max(floor);
        }
        for i in (0..count).rev() {
            let ceiling = if i + 1 == count {
                self.bottom
            } else {
                ys[i + 1] - PITCH
            };
            ys[i] = ys[i].min(ceiling);
        }
        ys
    }
}

/// `pos[item]` for an order of `items`.
fn positions(order: &[usize]) -> Vec<f64> {
    let len = order.len().max(1) as f64;
    let mut pos = vec![0.0; order.len()];
    for (p, &item) in order.iter().enumerate() {
        if let Some(slot) = pos.get_mut(item) {
            *slot = (p as f64 + 0.5) / len;
        }
    }
    pos
}

fn rank_of(order: &[usize], len: usize) -> Vec<usize> {
    let mut rank = vec![0; len];
    for (p, &item) in order.iter().enumerate() {
        if let Some(slot) = rank.get_mut(item) {
            *slot = p;
        }
    }
    rank
}

/// The mean of the neighbours' relative positions, if there are any.
fn mean(neighbours: &[usize], pos: &[f64]) -> Option<f64> {
    let known: Vec<f64> = neighbours
        .iter()
        .filter_map(|&i| pos.get(i).copied())
        .collect();
    (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
}

fn mean_y(neighbours: &[usize], ys: &[i32]) -> Option<i32> {
    let known: Vec<i64> = neighbours
        .iter()
        .filter_map(|&i| ys.get(i).map(|&y| i64::from(y)))
        .collect();
    (!known.is_empty()).then(|| (known.iter().sum::<i64>() / known.len() as i64) as i32)
}

/// `order` sorted by each item's barycentre; an item without one keeps its relative place, and
/// ties keep the current order (stable), so the result is deterministic.
fn by_barycentre(order: &[usize], key: impl Fn(usize) -> Option<f64>) -> Vec<usize> {
    let len = order.len().max(1) as f64;
    let mut keyed: Vec<(f64, usize, usize)> = order
        .iter()
        .enumerate()
        .map(|(pos, &item)| {
            let here = (pos as f64 + 0.5) / len;
            (key(item).unwrap_or(here), pos, item)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, _, item)| item).collect()
}

/// How many pairs of edges cross between two columns, each edge as (position on one side,
/// position on the other, `< len`): inversions counted with a Fenwick tree.
fn crossings(mut edges: Vec<(usize, usize)>, len: usize) -> usize {
    edges.sort_unstable();
    let mut tree = vec![0usize; len + 1];
    let mut count = 0;
    for (seen, &(_, lower)) in edges.iter().enumerate() {
        // An edge before this one (its upper end higher, or the same and its lower end not
        // lower) crosses it when its lower end is lower down: all but those not below.
        let mut not_above = 0;
        let mut i = lower + 1;
        while i > 0 {
            not_above += tree[i];
            i -= i & i.wrapping_neg();
        }
        count += seen - not_above;
        let mut i = lower + 1;
        while i <= len {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    count
}

/// Text on one line: control characters and runs of white space become one space.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How many units a character takes: two for CJK and other wide characters.
fn units(c: char) -> usize {
    if u32::from(c) >= 0x2E80 { 2 } else { 1 }
}

/// `text` on one line, cut with an ellipsis to at most `room` units.
fn fit(text: &str, room: usize) -> String {
    let text = one_line(text);
    if text.chars().map(units).sum::<usize>() <= room {
        return text;
    }
    let mut used = 1; // the ellipsis
    let mut out = String::new();
    for c in text.chars() {
        used += units(c);
        if used > room {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// A label's estimated width in pixels.
fn label_width(label: &str) -> i32 {
    let units: usize = label.chars().map(units).sum();
    (units as i32 * UNIT_TENTHS + 9) / 10
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::Lang;
    use crate::i18n::messages;
    use crate::web::context::PageContext;
    use askama::Template;

    fn case(i: usize) -> GraphCase {
        GraphCase {
            number: format!("RW-2026-{:06}", i + 1),
            status: CaseStatus::ALL[i % CaseStatus::ALL.len()],
            platform: Platform::ALL[i % Platform::ALL.len()],
            shop_name: format!("店铺 {i}"),
            href: format!("/officer/cases/RW-2026-{:06}", i + 1),
        }
    }

    fn merchant(label: &str, cases: Vec<usize>) -> GraphMerchant {
        GraphMerchant {
            label: label.into(),
            href: format!("/officer/merchants/taobao/shop/{label}"),
            cases,
        }
    }

    fn contact(kind: ContactKind, shown: &str, cases: Vec<usize>) -> GraphContact {
        GraphContact {
            kind,
            shown: shown.into(),
            cases,
        }
    }

    fn link(a: usize, b: usize, reason: LinkReason) -> GraphLink {
        GraphLink { a, b, reason }
    }

    /// A campaign of `n` cases: a merchant per five cases, a contact per three, links between
    /// cases far apart in the input.
    fn campaign(n: usize) -> GraphInput {
        GraphInput {
            cases: (0..n).map(case).collect(),
            merchants: (0..n.div_ceil(5))
                .map(|m| {
                    let cases = (0..n).filter(|c| c % n.div_ceil(5) == m).collect();
                    merchant(&format!("美妆旗舰店 No.{m}"), cases)
                })
                .collect(),
            contacts: (0..n.div_ceil(3))
                .map(|k| {
                    let cases = (0..n).filter(|c| (c * 7) % n.div_ceil(3) == k).collect();
                    contact(ContactKind::Wechat, &format!("wx_{k}***"), cases)
                })
                .collect(),
            links: (0..n)
                .map(|c| link(c, (c * 13 + 5) % n, LinkReason::SimilarText))
                .collect(),
        }
    }

    /// The box a node and its label take, left, top, right, bottom.
    fn bounds(node: &Node) -> (i32, i32, i32, i32) {
        let room = match node.kind {
            // A contact's label may be redrawn with its kind before it, up to the column's room.
            NodeKind::Contact { .. } => (CONTACT_LABEL_UNITS as i32 * UNIT_TENTHS + 9) / 10,
            _ => label_width(&node.label),
        };
        let (left, right) = if node.anchor == "end" {
            (node.label_x - room, node.x + NODE_R + 1)
        } else {
            (node.x - NODE_R - 1, node.label_x + room)
        };
        // A 12px label is about 16px tall.
        (left, node.y - 9, right, node.y + 9)
    }

    fn assert_no_overlap(graph: &Graph) {
        let boxes: Vec<_> = graph.nodes.iter().map(bounds).collect();
        for (i, a) in boxes.iter().enumerate() {
            assert!(
                a.0 >= 0 && a.2 <= graph.width && a.1 >= 0 && a.3 <= graph.height,
                "{:?} outside the drawing: {a:?}",
                graph.nodes[i].title
            );
            for (j, b) in boxes.iter().enumerate().skip(i + 1) {
                let apart = a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1;
                assert!(
                    apart,
                    "{} {a:?} overlaps {} {b:?}",
                    graph.nodes[i].title, graph.nodes[j].title
                );
            }
        }
    }

    fn assert_edges_join_nodes(graph: &Graph) {
        for e in &graph.edges {
            let (from, to) = (&graph.nodes[e.from], &graph.nodes[e.to]);
            assert_eq!((e.y1, e.y2), (from.y, to.y), "{}", e.title);
            let (left, _, right, _) = bounds(from);
            // A contact edge leaves a case a little after its label.
            assert!(
                (left..=right + 4).contains(&e.x1),
                "{} does not start at {}",
                e.title,
                from.title
            );
            let (c, _, d, _) = bounds(to);
            assert!(
                (c..=d).contains(&e.x2),
                "{} does not end at {}",
                e.title,
                to.title
            );
            assert!(e.path.starts_with(&format!("M{} {}", e.x1, e.y1)));
            assert!(e.path.ends_with(&format!("{} {}", e.x2, e.y2)));
        }
    }

    fn drawn_crossings(graph: &Graph, kind: EdgeKind) -> usize {
        let edges: Vec<_> = graph.edges.iter().filter(|e| e.kind == kind).collect();
        let mut count = 0;
        for (i, a) in edges.iter().enumerate() {
            for b in &edges[i + 1..] {
                if (a.y1 - b.y1).signum() * (a.y2 - b.y2).signum() < 0 {
                    count += 1;
                }
            }
        }
        count
    }

    #[test]
    fn the_same_input_gives_the_same_drawing() {
        let input = campaign(40);
        let (one, two) = (layout(&input), layout(&input));
        let coords = |g: &Graph| -> Vec<(i32, i32, String)> {
            g.nodes
                .iter()
                .map(|n| (n.x, n.y, n.title.clone()))
                .collect()
        };
        assert_eq!(coords(&one), coords(&two));
        let paths = |g: &Graph| -> Vec<String> { g.edges.iter().map(|e| e.path.clone()).collect() };
        assert_eq!(paths(&one), paths(&two));
        assert_eq!(one.height, two.height);
    }

    #[test]
    fn columns_are_merchants_cases_contacts_and_no_two_nodes_overlap() {
        for n in [1, 2, 3, 7, 40] {
            let graph = layout(&campaign(n));
            for node in &graph.nodes {
                let x = match node.kind {
                    NodeKind::Merchant => MERCHANT_X,
                    NodeKind::Case { .. } => CASE_X,
                    NodeKind::Contact { .. } => CONTACT_X,
                };
                assert_eq!(node.x, x);
            }
            assert_no_overlap(&graph);
            assert_edges_join_nodes(&graph);
        }
    }

    #[test]
    fn long_labels_are_cut_and_kept_whole_in_the_title() {
        let name = "深圳市某某某电子商务有限公司旗下官方自营美妆旗舰店（全国包邮）";
        let input = GraphInput {
            cases: vec![case(0)],
            merchants: vec![merchant(name, vec![0])],
            contacts: vec![contact(
                ContactKind::PaymentAccount,
                "6222 **** **** **** 1234 (a very long masked account name)",
                vec![0],
            )],
            links: vec![],
        };
        let graph = layout(&input);
        let m = &graph.nodes[0];
        assert_eq!(m.title, name);
        assert!(m.label.ends_with('…') && m.label.chars().count() < name.chars().count());
        assert!(label_width(&m.label) <= (MERCHANT_LABEL_UNITS as i32 * UNIT_TENTHS) / 10);
        let k = &graph.nodes[2];
        assert!(k.label.ends_with('…'));
        assert!(k.label_after("Payment account").ends_with('…'));
        assert_no_overlap(&graph);
    }

    #[test]
    fn every_edge_joins_two_drawn_nodes_of_the_right_kinds() {
        let graph = layout(&campaign(30));
        assert!(!graph.edges.is_empty());
        for e in &graph.edges {
            let kinds = (&graph.nodes[e.from].kind, &graph.nodes[e.to].kind);
            let right = match e.kind {
                EdgeKind::Merchant => {
                    matches!(kinds, (NodeKind::Merchant, NodeKind::Case { .. }))
                }
                EdgeKind::Contact => {
                    matches!(kinds, (NodeKind::Case { .. }, NodeKind::Contact { .. }))
                }
                EdgeKind::Link(_) => {
                    matches!(kinds, (NodeKind::Case { .. }, NodeKind::Case { .. }))
                        && e.from != e.to
                }
            };
            assert!(right, "{:?} joins {kinds:?}", e.kind);
        }
        assert_edges_join_nodes(&graph);
        let input = campaign(30);
        let expected = input.merchants.iter().map(|m| m.cases.len()).sum::<usize>()
            + input.contacts.iter().map(|c| c.cases.len()).sum::<usize>()
            + distinct_links(&input.links, 30).len();
        assert_eq!(graph.edges.len(), expected);
    }

    #[test]
    fn indices_out_of_range_are_ignored() {
        let input = GraphInput {
            cases: vec![case(0), case(1)],
            merchants: vec![
                merchant("A", vec![0, 7, usize::MAX, 0]),
                merchant("nobody's", vec![2, 99]),
            ],
            contacts: vec![contact(ContactKind::Qq, "12***89", vec![1, 5])],
            links: vec![
                link(0, 9, LinkReason::SimilarScreenshot),
                link(usize::MAX, 1, LinkReason::SimilarText),
                link(1, 1, LinkReason::SimilarText),
                link(1, 0, LinkReason::SimilarText),
                link(0, 1, LinkReason::SimilarText),
            ],
        };
        let graph = layout(&input);
        assert_eq!((graph.cases, graph.merchants, graph.contacts), (2, 1, 1));
        assert_eq!(graph.nodes.len(), 4);
        let kinds: Vec<EdgeKind> = graph.edges.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EdgeKind::Merchant,
                EdgeKind::Contact,
                EdgeKind::Link(LinkReason::SimilarText)
            ]
        );
        assert_eq!(graph.reasons, [LinkReason::SimilarText]);
        assert_edges_join_nodes(&graph);
        let table = input.table();
        assert_eq!(table[0].merchants.len(), 1);
        assert_eq!(table[0].links.len(), 1);
        assert_eq!(table[0].links[0].number, "RW-2026-000002");
        assert_eq!(table[1].contacts.len(), 1);
    }

    #[test]
    fn an_empty_campaign_draws_nothing() {
        let graph = layout(&GraphInput::default());
        assert!(graph.nodes.is_empty() && graph.edges.is_empty());
        assert!(graph.height > 0);
    }

    #[test]
    fn the_ordering_removes_crossings_the_input_order_has() {
        // Merchant A's cases are 0 and 2, B's 1 and 3; contacts follow the merchants. In input
        // order every edge of A crosses one of B's.
        let input = GraphInput {
            cases: (0..4).map(case).collect(),
            merchants: vec![merchant("A", vec![0, 2]), merchant("B", vec![1, 3])],
            contacts: vec![
                contact(ContactKind::Wechat, "wx_b", vec![3, 1]),
                contact(ContactKind::Wechat, "wx_a", vec![2, 0]),
            ],
            links: vec![link(0, 2, LinkReason::SameScreenshot)],
        };
        let graph = layout(&input);
        assert_eq!(drawn_crossings(&graph, EdgeKind::Merchant), 0);
        assert_eq!(drawn_crossings(&graph, EdgeKind::Contact), 0);
        let y = |number: &str| graph.nodes.iter().find(|n| n.title == number).unwrap().y;
        // Linked cases side by side: the arc is the shortest it can be.
        assert_eq!((y("RW-2026-000001") - y("RW-2026-000003")).abs(), PITCH);
    }

    #[test]
    fn the_crossing_count_counts_crossings() {
        assert_eq!(crossings(vec![(0, 0), (1, 1)], 2), 0);
        assert_eq!(crossings(vec![(0, 1), (1, 0)], 2), 1);
        assert_eq!(crossings(vec![(0, 0), (0, 1), (1, 0)], 2), 1);
        assert_eq!(crossings(vec![(0, 2), (1, 1), (2, 0)], 3), 3);
    }

    #[test]
    fn five_hundred_cases_lay_out_in_a_taller_drawing_of_the_same_width() {
        let small = layout(&campaign(5));
        let input = campaign(500);
        let graph = layout(&input);
        assert_eq!(graph.cases, 500);
        assert_eq!(graph.width, small.width);
        assert!(graph.height >= TOP + 499 * PITCH);
        assert_no_overlap(&graph);
        assert_edges_join_nodes(&graph);
        for e in &graph.edges {
            if let EdgeKind::Link(_) = e.kind {
                assert!(
                    e.x1 - MAX_ARC_REACH - 40 > MERCHANT_X + NODE_R,
                    "{}",
                    e.path
                );
            }
        }
    }

    #[test]
    fn a_side_column_longer_than_the_cases_sets_the_height() {
        let input = GraphInput {
            cases: vec![case(0), case(1)],
            merchants: vec![merchant("A", vec![0])],
            contacts: (0..12)
                .map(|k| contact(ContactKind::Mobile, &format!("138****{k:04}"), vec![k % 2]))
                .collect(),
            links: vec![],
        };
        let graph = layout(&input);
        assert_eq!(graph.height, TOP + 11 * PITCH + BOTTOM + NODE_R);
        assert_no_overlap(&graph);
        assert_edges_join_nodes(&graph);
    }

    #[derive(Template)]
    #[template(
        source = r#"{% include "pages/officer/campaign_graph.html" %}"#,
        ext = "html"
    )]
    struct Sample {
        ctx: PageContext,
        graph: Graph,
        input: GraphInput,
    }

    fn render(input: GraphInput, lang: Lang) -> String {
        Sample {
            ctx: PageContext {
                lang,
                m: messages(lang),
                here: "/officer/campaigns/1".into(),
            },
            graph: layout(&input),
            input,
        }
        .render()
        .unwrap()
    }

    #[test]
    fn names_are_escaped_in_the_drawing_and_the_table() {
        let mut input = campaign(3);
        input.cases[0].shop_name = "<script>alert(1)</script> & Co".into();
        input.merchants[0].label = "A&B <b>旗舰店</b>".into();
        input.contacts[0].shown = "wx_<i>&amp;".into();
        let html = render(input, Lang::En);
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<b>旗舰店"));
        assert!(!html.contains("wx_<i>"));
        // Askama writes numeric references: &#60; for <, &#62; for >, &#38; for &.
        let shop = "&#60;script&#62;alert(1)&#60;/script&#62; &#38; Co";
        // In the case's <title> in the drawing and in its table row.
        assert_eq!(html.matches(shop).count(), 2, "{html}");
        let merchant = "A&#38;B &#60;b&#62;旗舰店&#60;/b&#62;";
        // The merchant's label, its <title>, the link's <title> and the table.
        assert!(html.matches(merchant).count() >= 3, "{html}");
        assert!(html.contains("wx_&#60;i&#62;&#38;amp;"), "{html}");
    }

    #[test]
    fn the_drawing_and_the_table_name_every_case_with_its_link() {
        let input = campaign(6);
        let html = render(input.clone(), Lang::ZhCn);
        assert!(html.contains(r#"<figure id="campaign-graph""#));
        // A group, not an image: its nodes are links (axe-core: an image has no focusable parts).
        assert!(html.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" role="group""#));
        assert!(html.contains(r#"<table id="campaign-graph-table""#));
        let (drawing, table) = html.split_at(html.find("<table").unwrap());
        for c in &input.cases {
            let href = format!(r#"href="/officer/cases/{}""#, c.number);
            assert_eq!(drawing.matches(&href).count(), 1, "{}", c.number);
            let row = format!(r#"<tr data-case="{}">"#, c.number);
            let row = &table[table.find(&row).unwrap()..];
            let row = &row[..row.find("</tr>").unwrap()];
            assert!(row.contains(&href), "{row}");
            assert!(row.contains(messages(Lang::ZhCn).status(c.status)), "{row}");
        }
        assert!(
            html.contains("图中有 6 个案件、2 个商家、2 个联系方式"),
            "{html}"
        );
        assert!(!html.contains("campaign_graph."), "a key without a message");
    }

    /// Not a check: writes a sample drawing to look at in a browser
    /// (`cargo test --lib campaign_graph::tests::write_sample -- --ignored`).
    #[test]
    #[ignore]
    fn write_sample() {
        // A chain as it comes: four shops, one recruiter's WeChat and QQ group across them, a
        // payment account, the same 好评返现 card photographed in several parcels.
        let mut input = GraphInput {
            cases: (0..14).map(case).collect(),
            merchants: vec![
                merchant("美妆旗舰店", vec![0, 3, 7, 11]),
                merchant("好物优选小店", vec![1, 4, 8]),
                merchant("<b>&</b> 数码专营店", vec![2, 5, 9, 12]),
                merchant(
                    "深圳市某某某电子商务有限公司旗下官方自营美妆旗舰店",
                    vec![6, 10, 13],
                ),
            ],
            contacts: vec![
                contact(ContactKind::Wechat, "tiyan***2026", vec![0, 1, 2, 4, 9]),
                contact(ContactKind::QqGroup, "8817***", vec![3, 7, 11, 5]),
                contact(
                    ContactKind::PaymentAccount,
                    "6222 **** **** 1234",
                    vec![6, 10, 13, 12],
                ),
                contact(ContactKind::Mobile, "138****0021", vec![8]),
            ],
            links: vec![
                link(0, 1, LinkReason::SimilarScreenshot),
                link(1, 2, LinkReason::SimilarScreenshot),
                link(0, 2, LinkReason::SimilarScreenshot),
                link(3, 5, LinkReason::SimilarText),
                link(7, 11, LinkReason::SimilarText),
                link(6, 13, LinkReason::SameScreenshot),
                link(6, 13, LinkReason::SimilarText),
            ],
        };
        input.cases[3].shop_name = "<b>&</b>".into();
        let css = concat!(env!("CARGO_MANIFEST_DIR"), "/static/app.css");
        for lang in [Lang::ZhCn, Lang::En] {
            let body = render(input.clone(), lang);
            let page = format!(
                "<!doctype html><meta charset=utf-8><link rel=stylesheet href=\"file://{css}\">\
                 <main class=wrap><section class=panel>{body}</section></main>"
            );
            let dir = std::env::temp_dir();
            std::fs::write(dir.join(format!("graph-sample-{lang:?}.html")), &page).unwrap();
            if lang == Lang::ZhCn {
                std::fs::write(dir.join("graph-sample.html"), &page).unwrap();
                let svg = &body[body.find("<svg").unwrap()..body.find("</svg>").unwrap() + 6];
                std::fs::write(dir.join("graph-sample.svg"), svg).unwrap();
            }
        }
    }
}
