//! The layering of docs/ARCHITECTURE.md, checked: a module may import only from the layers
//! below it, and the domain does no I/O. Read from the source, so a new file is checked too.

use std::path::{Path, PathBuf};

/// Each layer and the crate modules it may use (besides itself).
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("db", &["domain"]),
    ("evidence", &["domain", "private_fs"]),
    ("mail", &["domain", "db", "i18n", "private_fs"]),
    (
        "handoff",
        &["domain", "db", "evidence", "i18n", "private_fs"],
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
