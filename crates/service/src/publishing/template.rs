//! The bulk templates: `{name}` (the customer's name, else their handle) and `{handle}`
//! (`@handle`). Any other `{…}` is refused when the template is given, so a customer
//! never receives "Bonjour {nom}".

use crate::ServiceError;

/// Longest template, in bytes (the channel rules then apply to each message).
pub(crate) const MAX_TEMPLATE_BYTES: usize = 4_096;

/// Checks a template: not blank, bounded, only known placeholders, braces balanced.
pub(crate) fn check(template: &str) -> Result<(), ServiceError> {
    if template.trim().is_empty() || template.len() > MAX_TEMPLATE_BYTES {
        return Err(ServiceError::Unprocessable(format!("a template has 1 to {MAX_TEMPLATE_BYTES} bytes")));
    }
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| ServiceError::Unprocessable("a { in the template is never closed".into()))?;
        let name = &after[..close];
        if !matches!(name, "name" | "handle") {
            return Err(ServiceError::Unprocessable(format!("{{{name}}} is not a placeholder: use {{name}} or {{handle}}")));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Fills a checked template. Values go in as they are (plain text).
pub(crate) fn render(template: &str, name: &str, handle: &str) -> String {
    // One pass over the template: a value is never read as a template itself.
    let mut rendered = String::with_capacity(template.len() + name.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        rendered.push_str(&rest[..open]);
        let after = &rest[open..];
        if let Some(tail) = after.strip_prefix("{name}") {
            rendered.push_str(name);
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("{handle}") {
            rendered.push('@');
            rendered.push_str(handle);
            rest = tail;
        } else {
            rendered.push('{');
            rest = &after[1..];
        }
    }
    rendered.push_str(rest);
    rendered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_placeholders_are_filled_and_others_refused() {
        check("Bonjour {name} ({handle}), c'est réparé").unwrap();
        assert_eq!(render("Bonjour {name} ({handle})", "Zoé", "zoe"), "Bonjour Zoé (@zoe)");
        let unknown = check("Bonjour {nom}").unwrap_err().to_string();
        assert!(unknown.contains("{nom}"), "{unknown}");
        assert!(check("Bonjour {name").is_err());
        assert!(check("   ").is_err());
        assert!(check(&"x".repeat(MAX_TEMPLATE_BYTES + 1)).is_err());
    }

    #[test]
    fn a_value_with_braces_is_not_filled_again() {
        assert_eq!(render("{name} {handle}", "{handle}", "zoe"), "{handle} @zoe");
    }
}
