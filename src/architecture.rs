//! The layering of docs/ARCHITECTURE.md, checked: a module may import only from the layers
//! below it, and the domain does no I/O. Read from the source, so a new file is checked too.

use std::path::{Path, PathBuf};

/// Each layer and the crate modules it may use (besides itself).
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("db", &["domain"]),
    ("storage", &["private_fs"]),
    ("evidence", &["domain", "private_fs", "storage"]),
    ("mail", &["domain", "db", "i18n", "private_fs", "storage"]),
    (
        "handoff",
        &["domain", "db", "evidence", "i18n", "private_fs", "storage"],
    ),
    (
        "workflow",
        &[
            "domain",
            "db",
            "evidence",
            "mail",
            "handoff",
            "i18n",
            "private_fs",
            "storage",
        ],
    ),
    (
        "jobs",
        &[
            "domain",
            "db",
            "evidence",
            "mail",
            "handoff",
            "workflow",
            "i18n",
            "private_fs",
            "storage",
        ],
    ),
];

/// What the domain may not touch: it decides, others do the I/O.
const IO_IN_DOMAIN: &[&str] = &[
    "std::fs",
    "std::net",
    "std::process",
    "tokio",
    "diesel",
    "reqwest",
    "actix",
    "lettre::transport",
    "lettre::SmtpTransport",
];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(rust_files(&p));
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out
}

/// The crate modules a file names (`crate::db::…` → `db`), outside comments and tests.
fn used_modules(source: &str) -> Vec<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or(source);
    let mut used = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                used.push(name);
            }
        }
    }
    used
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (layer, allowed) in LAYERS {
        for file in rust_files(&src.join(layer)) {
            let source = std::fs::read_to_string(&file).unwrap_or_default();
            for m in used_modules(&source) {
                if m != *layer && !allowed.contains(&m.as_str()) {
                    wrong.push(format!("{} uses crate::{m}", file.display()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn the_domain_does_no_io() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
    let mut wrong = Vec::new();
    for file in rust_files(&src) {
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        let code = source.split("#[cfg(test)]").next().unwrap_or(&source);
        for needle in IO_IN_DOMAIN {
            if code.contains(needle) {
                wrong.push(format!("{} uses {needle}", file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "I/O in the domain:\n{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_a_web_import_below_web() {
    assert_eq!(
        used_modules("use crate::web::filters;\n// crate::startup in a comment\n"),
        vec!["web".to_string()]
    );
}

/// Row fields named after an enum-valued column. A row that holds one of them as text would
/// let each reader parse it again, with its own fallback.
const ENUM_COLUMNS: &[&str] = &[
    "status",
    "platform",
    "category",
    "language",
    "role",
    "kind",
    "display_kind",
    "outcome",
    "action",
    "actor_kind",
    "purpose",
    "source",
    "origin",
    "closed_reason",
];

/// The fields of `src/db` structs typed as text, as `file: field`.
fn text_typed_enum_fields(source: &str) -> Vec<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or(source);
    code.lines()
        .filter_map(|line| {
            let field = line.trim().strip_prefix("pub ")?;
            let (name, ty) = field.split_once(':')?;
            let ty = ty.trim().trim_end_matches(',');
            let text = [
                "String",
                "Option<String>",
                "&'a str",
                "Option<&'a str>",
                "&'static str",
            ];
            (ENUM_COLUMNS.contains(&name.trim()) && text.contains(&ty)).then(|| name.to_string())
        })
        .collect()
}

/// Fields that share a name with an enum column but hold free text: (file name, field).
const FREE_TEXT: &[(&str, &str)] = &[
    // Where a calendar year file came from: its file name or "shipped".
    ("calendar.rs", "source"),
];

#[test]
fn no_row_holds_an_enum_valued_column_as_text() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db");
    let mut wrong = Vec::new();
    for file in rust_files(&src) {
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        for field in text_typed_enum_fields(&source) {
            if FREE_TEXT.contains(&(name, field.as_str())) {
                continue;
            }
            wrong.push(format!("{}: {field}", file.display()));
        }
    }
    assert!(
        wrong.is_empty(),
        "enum columns held as text:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_a_status_held_as_text() {
    assert_eq!(
        text_typed_enum_fields("pub struct R {\n    pub status: String,\n    pub name: String,\n}"),
        vec!["status".to_string()]
    );
    assert!(text_typed_enum_fields("    pub status: CaseStatus,\n").is_empty());
}

/// The longest a function under `src/web/routes` may be: a handler parses, calls one workflow
/// step and renders, and its page is built by a `fn` beside it. Longer mixes those levels.
const MAX_ROUTE_FN_LINES: usize = 60;

/// What a route may not call: a change is written by a workflow step, in its transaction.
const WRITERS_IN_ROUTES: &[&str] = &[
    ".transaction(",
    "write_transaction(",
    "build_transaction(",
    "run_in_transaction",
    "diesel::insert_into",
    "diesel::update",
    "diesel::delete",
];

/// The source with comments blanked and the insides of string and character literals replaced
/// by spaces, line breaks kept: braces and words in text are not code.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(next, Some('"') | Some('#')) && !ident_before(&chars, i) {
            // A raw string: r"…", r#"…"#; its end is a quote followed by as many hashes.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.push('"');
            j += 1;
            while j < chars.len() {
                let closes =
                    chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#'));
                if closes {
                    j += 1 + hashes;
                    break;
                }
                out.push(blank(chars[j]));
                j += 1;
            }
            out.push('"');
            i = j;
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if let Some(&ch) = chars.get(i) {
                    out.push(blank(ch));
                }
                i += 1;
            }
            out.push('"');
            i += 1;
        } else if c == '\'' {
            // A character literal ('{', '\n', '\u{7b}'), or a lifetime ('a), which is code.
            let end = if next == Some('\\') {
                (i + 2..chars.len()).find(|&k| chars[k] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.push_str(&" ".repeat(end - i + 1));
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// Each `fn` of `source` with the number of lines from its `fn` line to its closing brace.
fn function_lengths(source: &str) -> Vec<(String, usize)> {
    let code = code_only(source);
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 2 < chars.len() {
        let is_fn = chars[i] == 'f'
            && chars[i + 1] == 'n'
            && chars[i + 2].is_whitespace()
            && !ident_before(&chars, i);
        if !is_fn {
            i += 1;
            continue;
        }
        let name: String = chars[i + 2..]
            .iter()
            .skip_while(|c| c.is_whitespace())
            .take_while(|c| c.is_alphanumeric() || **c == '_')
            .collect();
        // The body starts at the first `{` outside the signature's brackets; a `;` first means
        // a declaration without one.
        let mut j = i + 2;
        let mut nesting = 0i32;
        let mut body = None;
        while j < chars.len() {
            match chars[j] {
                '(' | '[' | '<' => nesting += 1,
                ')' | ']' => nesting -= 1,
                '>' if chars[j - 1] != '-' && chars[j - 1] != '=' => nesting -= 1,
                '{' if nesting <= 0 => {
                    body = Some(j);
                    break;
                }
                ';' if nesting <= 0 => break,
                _ => {}
            }
            j += 1;
        }
        let Some(open) = body else {
            i = j;
            continue;
        };
        let mut depth = 0;
        let mut close = open;
        for (k, ch) in chars.iter().enumerate().skip(open) {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = k;
                        break;
                    }
                }
                _ => {}
            }
        }
        let lines = chars[i..=close].iter().filter(|c| **c == '\n').count() + 1;
        found.push((name, lines));
        // Functions inside this one are measured too.
        i += 2;
    }
    found
}

#[test]
fn route_functions_are_short_and_write_through_workflows() {
    let routes = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/routes");
    let files = rust_files(&routes);
    assert!(!files.is_empty(), "no route files found under {routes:?}");
    let mut wrong = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        for (name, lines) in function_lengths(&source) {
            if lines > MAX_ROUTE_FN_LINES {
                wrong.push(format!(
                    "{}: fn {name} is {lines} lines (at most {MAX_ROUTE_FN_LINES})",
                    file.display()
                ));
            }
        }
        let code = code_only(&source);
        let code = code.split("#[cfg(test)]").next().unwrap_or(&code);
        for writer in WRITERS_IN_ROUTES {
            if code.contains(writer) {
                wrong.push(format!(
                    "{} calls {writer}: a write belongs to a workflow step",
                    file.display()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "route rules broken:\n{}",
        wrong.join("\n")
    );
}

/// Route files share nothing with each other: what two of them use lives in `web/`. Only the
/// `mod.rs` files name their own submodules (the route table).
#[test]
fn route_files_do_not_import_each_other() {
    let routes = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/routes");
    let mut wrong = Vec::new();
    for file in rust_files(&routes) {
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        let code = code_only(&source);
        let code = code.split("#[cfg(test)]").next().unwrap_or(&code);
        let is_mod = file.file_name().is_some_and(|n| n == "mod.rs");
        if code.contains("web::routes") || (!is_mod && code.contains("super::")) {
            wrong.push(file.display().to_string());
        }
    }
    assert!(
        wrong.is_empty(),
        "route files importing other route files:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_length_check_measures_functions_and_ignores_text() {
    let source = "fn short() -> Result<(), E> {\n    let s = \"}}}{\";\n    let c = '}';\n    x\n}\n\
                  // fn in_a_comment() {\n\
                  pub async fn longer<'a>(a: &'a str) -> Vec<u8>\nwhere\n    T: Fn(u8) -> u8,\n{\n    \
                  let r = r#\"{\"#;\n    if a { b } else { c }\n\n}\n\
                  trait T { fn declared(&self); }\n";
    assert_eq!(
        function_lengths(source),
        vec![("short".to_string(), 5), ("longer".to_string(), 8)]
    );
    assert!(
        code_only("let t = \"x.transaction(y)\";")
            .find(".transaction(")
            .is_none()
    );
}
