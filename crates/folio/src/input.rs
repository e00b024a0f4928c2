//! What a page arrives as: a bare storage body, or a Confluence REST API page JSON (v1 or v2)
//! holding it in `body.storage.value`.

use crate::CompileError;

/// A page ready to read: its storage body and what the input said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageInput {
    /// The storage body. Diagnostic spans index this string.
    pub storage: String,
    /// The page title, when the input carried one.
    pub title: Option<String>,
    /// The input was a REST API JSON document rather than a bare body.
    pub from_json: bool,
}

/// Tells a REST API page JSON from a storage body and unwraps it. A storage body never starts
/// with `{` after white space, so that is the test. A Confluence space export is refused: read
/// as a body, its Hibernate XML would print as a page of field names and values.
pub fn detect_input(text: &str) -> Result<PageInput, CompileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if is_space_export(text.as_bytes()) {
        return Err(CompileError::SpaceExport);
    }
    if !text.trim_start().starts_with('{') {
        return Ok(PageInput {
            storage: text.to_owned(),
            title: None,
            from_json: false,
        });
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|error| CompileError::Json {
            message: format!("page JSON does not parse: {error}"),
            line: error.line(),
            column: error.column(),
        })?;
    let storage = value
        .pointer("/body/storage/value")
        .and_then(|v| v.as_str())
        .ok_or_else(|| CompileError::Json {
            message: "page JSON has no `body.storage.value`".into(),
            line: 1,
            column: 1,
        })?;
    let title = value
        .get("title")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    Ok(PageInput {
        storage: storage.to_owned(),
        title,
        from_json: true,
    })
}

/// Whether `bytes` are a Confluence Server/Data Center space export (`entities.xml`): Hibernate
/// XML holding a whole space, whose root element comes within the first kilobyte.
pub fn is_space_export(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(18)
        .any(|window| window == b"<hibernate-generic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_storage_is_passed_through() {
        let page = detect_input("\u{feff}<p>x</p>").unwrap();
        assert_eq!(page.storage, "<p>x</p>");
        assert!(!page.from_json);
    }

    #[test]
    fn rest_page_json_is_unwrapped_with_its_title() {
        let json = r#"{"id":"1","title":"Runbook","body":{"storage":{"value":"<p>a &amp; b</p>","representation":"storage"}}}"#;
        let page = detect_input(json).unwrap();
        assert_eq!(page.storage, "<p>a &amp; b</p>");
        assert_eq!(page.title.as_deref(), Some("Runbook"));
    }

    #[test]
    fn a_space_export_is_refused_not_read_as_a_page() {
        let export = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hibernate-generic datetime=\"2024-01-01\">\n  <object class=\"Space\" package=\"com.atlassian.confluence.spaces\"/>\n</hibernate-generic>";
        let error = detect_input(export).unwrap_err();
        assert!(matches!(error, CompileError::SpaceExport), "{error:?}");
        assert!(error.to_string().contains("space export"), "{error}");
        // A page that only mentions the element in its text is a page.
        let page = detect_input("<p>&lt;hibernate-generic&gt; is the root of entities.xml</p>");
        assert!(page.is_ok());
    }

    #[test]
    fn broken_json_names_line_and_column() {
        let error = detect_input("{\n  \"title\": oops}").unwrap_err();
        assert!(
            matches!(error, CompileError::Json { line: 2, .. }),
            "{error:?}"
        );
        let error = detect_input(r#"{"title":"x"}"#).unwrap_err();
        assert!(error.to_string().contains("body.storage.value"));
    }
}
