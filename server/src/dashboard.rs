//! The dashboard (`GET /`, `GET /dashboard`): one self-contained page, its style and script
//! inline, that loads everything it shows from this server's JSON API and draws its charts
//! as SVG in the browser. It loads nothing from elsewhere, so it works offline and behind a
//! firewall, and holds no data of its own: what it shows is what the API answers.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The page, as written in `dashboard.html`.
const PAGE: &str = include_str!("dashboard.html");

pub(crate) async fn page() -> Response {
    let mut response = PAGE.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Nothing but this server: scripts, styles and data come from the page or its API.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             connect-src 'self'; img-src 'self' data:",
        ),
    );
    response
}
