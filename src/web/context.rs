//! What every page needs to know about the request: the reader's language and where they are.

use crate::domain::Lang;
use crate::i18n::{Messages, messages};
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use std::future::{Ready, ready};

pub const LANG_COOKIE: &str = "lang";

#[derive(Clone)]
pub struct PageContext {
    pub lang: Lang,
    pub m: &'static Messages,
    /// Path and query of this page, for the language switch to come back to.
    pub here: String,
}

impl PageContext {
    pub fn of(req: &HttpRequest) -> Self {
        let lang = req
            .cookie(LANG_COOKIE)
            .and_then(|c| Lang::parse(c.value()))
            .or_else(|| {
                req.headers()
                    .get(actix_web::http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or_default();
        let here = match req.uri().path_and_query() {
            Some(pq) => pq.as_str().to_string(),
            None => "/".into(),
        };
        Self {
            lang,
            m: messages(lang),
            here,
        }
    }

    /// The language the page is not in, for the switch link.
    pub fn other_lang(&self) -> Lang {
        match self.lang {
            Lang::ZhCn => Lang::En,
            Lang::En => Lang::ZhCn,
        }
    }

    /// The link that switches language and comes back here (GET, so it works without forms).
    pub fn switch_url(&self) -> String {
        let next: String = url::form_urlencoded::byte_serialize(self.here.as_bytes()).collect();
        format!("/lang/{}?next={next}", self.other_lang().as_str())
    }
}

impl FromRequest for PageContext {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(req)))
    }
}
