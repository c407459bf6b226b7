//! What a tool call answers: its text, or its error as the call's result with `isError` set
//! (never a protocol error, which clients show as an opaque failure).

use rmcp::model::{CallToolResult, ContentBlock};

/// A result of text blocks, in order.
pub fn text(blocks: impl IntoIterator<Item = String>) -> CallToolResult {
    CallToolResult::success(blocks.into_iter().map(ContentBlock::text).collect())
}

/// `value` as pretty JSON text.
pub fn json(value: &impl serde::Serialize) -> Result<String, tdev_app::Error> {
    serde_json::to_string_pretty(value).map_err(|e| tdev_app::Error::Io {
        context: "writing JSON".into(),
        source: e.into(),
    })
}

/// `error` as the call's result: a user's mistake as its sentence (and hint), a failure of
/// tdev or the machine said to be one, with its causes.
pub fn error(error: &tdev_app::Error) -> CallToolResult {
    let mut text = if error.is_user_error() {
        error.to_string()
    } else {
        tracing::warn!("a tool call failed: {error}");
        let mut text = format!("tdev failed: {error}");
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        text
    };
    if let Some(hint) = error.hint() {
        text.push('\n');
        text.push_str(hint);
    }
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// A call that stopped without an answer (it panicked): said, not passed on.
pub fn stopped(why: &str) -> CallToolResult {
    tracing::error!("a tool call stopped: {why}");
    CallToolResult::error(vec![ContentBlock::text(format!(
        "tdev failed: the call stopped without an answer ({why}); the server goes on, see its log"
    ))])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(result: &CallToolResult) -> String {
        result.content[0].as_text().unwrap().text.clone()
    }

    #[test]
    fn a_mistake_is_said_with_its_hint_and_a_failure_as_one() {
        let mistake = tdev_app::Error::user("invalid SPARQL query at <query>:1:8: expected")
            .with_hint("  SELECT ?\n         ^");
        let result = error(&mistake);
        assert_eq!(result.is_error, Some(true));
        assert_eq!(
            said(&result),
            "invalid SPARQL query at <query>:1:8: expected\n  SELECT ?\n         ^"
        );
        let failure = tdev_app::Error::Io {
            context: "reading /d/lock".into(),
            source: std::io::Error::other("disk on fire"),
        };
        let result = error(&failure);
        assert_eq!(result.is_error, Some(true));
        assert!(
            said(&result).starts_with("tdev failed: reading /d/lock"),
            "{}",
            said(&result)
        );
    }
}
