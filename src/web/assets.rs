//! The stylesheet and script, built into the binary and served with long cache lifetimes under
//! a versioned URL (the version is a hash of the content, so a new release is fetched at once).

use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../static/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/app.js"),
    },
    Asset {
        name: "desk.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/desk.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../static/favicon.svg"),
    },
];

/// A short hash of all assets, appended as `?v=` to their URLs.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    for a in ASSETS {
        h.update(a.body);
    }
    hex::encode(&h.finalize()[..6])
});

pub async fn serve_asset(name: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|a| a.name == name.as_str()) {
        Some(a) => HttpResponse::Ok()
            .content_type(a.content_type)
            .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
            .body(a.body),
        None => HttpResponse::NotFound().finish(),
    }
}
