//! The server's one error type: an HTML page for people, a JSON body
//! (`{"error": "..."}`) for the API, with a 4xx status for bad input.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub message: String,
    pub api: bool,
}

impl WebError {
    pub fn bad_request(message: impl Into<String>, api: bool) -> WebError {
        WebError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            api,
        }
    }

    pub fn not_found(message: impl Into<String>, api: bool) -> WebError {
        WebError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
            api,
        }
    }

    pub fn internal(message: impl Into<String>) -> WebError {
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
            api: false,
        }
    }

    /// The same error, answered as JSON.
    pub fn into_api(mut self) -> WebError {
        self.api = true;
        self
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(message = %self.message, "request failed");
        }
        // people get the reason for a bad request, never internals
        let shown = if self.status.is_server_error() {
            "something went wrong on our side; the error has been logged".to_string()
        } else {
            self.message
        };
        if self.api {
            return (self.status, axum::Json(serde_json::json!({"error": shown}))).into_response();
        }
        let page = super::TEMPLATES
            .get_template("error.html")
            .and_then(|template| template.render(minijinja::context! { status => self.status.as_u16(), message => shown.clone() }));
        match page {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, shown).into_response(),
        }
    }
}
