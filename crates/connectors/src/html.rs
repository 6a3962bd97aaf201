//! HTML to plain text for sources that send HTML (Mastodon content, feed entries,
//! HTML e-mail): tags are dropped, block tags and `<br>` become line breaks, the
//! content of `<script>`/`<style>` is dropped and entities are decoded.

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "section",
    "article",
    "header",
    "footer",
    "dd",
    "dt",
    "figure",
];

/// The text a reader sees in `html`.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(tag_start) = rest.find('<') {
        text.push_str(&rest[..tag_start]);
        let after_open = &rest[tag_start + 1..];
        let Some(tag_len) = after_open.find('>') else {
            // A lone `<` with no closing `>`: it is text, not a tag.
            text.push_str(&rest[tag_start..]);
            rest = "";
            break;
        };
        let tag = &after_open[..tag_len];
        rest = &after_open[tag_len + 1..];
        let name = tag_name(tag);
        if name == "script" || name == "style" {
            let closing = format!("</{name}");
            rest = match find_ignore_ascii_case(rest, &closing) {
                Some(end) => rest[end..]
                    .find('>')
                    .map_or("", |close| &rest[end + close + 1..]),
                None => "",
            };
            continue;
        }
        if BLOCK_TAGS.contains(&name.as_str()) && !text.ends_with('\n') && !text.is_empty() {
            text.push('\n');
        }
    }
    text.push_str(rest);
    let decoded = html_escape::decode_html_entities(&text);
    tidy_lines(&decoded)
}

fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('/')
        .chars()
        .take_while(|character| character.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn find_ignore_ascii_case(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
}

/// Trims each line, drops runs of blank lines and the blank lines at both ends.
fn tidy_lines(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        let previous_blank = lines.last().is_some_and(|last| last.is_empty());
        if line.is_empty() && (lines.is_empty() || previous_blank) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|last| last.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_breaks_become_lines_and_entities_are_decoded() {
        let html = "<p>Hello <a href=\"x\">@<span>bob</span></a> &amp; co</p><p>line<br/>next &#233;t&eacute;</p>";
        assert_eq!(html_to_text(html), "Hello @bob & co\nline\nnext été");
    }

    #[test]
    fn scripts_are_dropped_and_a_lone_angle_bracket_is_text() {
        assert_eq!(html_to_text("a<script>alert(1)</script>b < c"), "ab < c");
    }
}
