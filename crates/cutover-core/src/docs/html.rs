//! Every document as a self-contained HTML page: its Markdown rendered by
//! `pulldown-cmark` (CommonMark with tables) inside one page template with
//! the one stylesheet embedded (`templates/document.css`), and its charts
//! drawn inline as SVG.
//!
//! A chart is named in the Markdown by a comment on a line of its own,
//! `<!-- chart: NAME -->`, invisible in the Markdown form; the HTML form
//! puts the chart's SVG there. A fenced `mermaid` block right after the
//! comment is the chart's Markdown form (the plan's Gantt) and is left out
//! of the HTML. Table cells that hold only a date or a time never wrap.

use std::collections::BTreeMap;

use minijinja::{Environment, context};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::report::ReportError;

const PAGE: &str = include_str!("../../templates/document.html.j2");
const STYLESHEET: &str = include_str!("../../templates/document.css");

/// Charts by name, each an SVG drawing.
pub type Charts = BTreeMap<&'static str, String>;

/// The page for `markdown`, titled by its first heading, with `charts` inline.
pub fn html_page(markdown: &str, charts: &Charts) -> Result<String, ReportError> {
    let title = markdown
        .lines()
        .find_map(|line| line.strip_prefix("# "))
        .unwrap_or("cutover")
        .replace('`', "");
    let mut body = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut body, with_charts(markdown, charts).into_iter());
    let env = Environment::new();
    env.render_str(
        PAGE,
        context! {
            title => title,
            stylesheet => minijinja::Value::from_safe_string(STYLESHEET.to_owned()),
            body => minijinja::Value::from_safe_string(body),
        },
    )
    .map_err(|source| ReportError::Template {
        name: "document.html",
        source,
    })
}

/// The Markdown's events with each chart comment replaced by its drawing,
/// each chart's `mermaid` fallback left out, and date cells kept whole.
fn with_charts<'a>(markdown: &'a str, charts: &Charts) -> Vec<Event<'a>> {
    let mut events = Vec::new();
    let mut after_chart = false;
    let mut skipping = false;
    let mut in_cell = false;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        if skipping {
            skipping = !matches!(event, Event::End(TagEnd::CodeBlock));
            continue;
        }
        match &event {
            Event::Html(text) => {
                if let Some(svg) = chart_name(text).and_then(|name| charts.get(name)) {
                    events.push(Event::Html(
                        format!("<figure class=\"chart\">{svg}</figure>\n").into(),
                    ));
                    after_chart = true;
                    continue;
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(language)))
                if after_chart && language.as_ref() == "mermaid" =>
            {
                skipping = true;
                after_chart = false;
                continue;
            }
            Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
            Event::Start(Tag::TableCell) => in_cell = true,
            Event::End(TagEnd::TableCell) => in_cell = false,
            Event::Text(text) if in_cell && is_date_or_time(text) => {
                events.push(Event::InlineHtml(
                    format!("<span class=\"date\">{text}</span>").into(),
                ));
                continue;
            }
            _ => after_chart = false,
        }
        events.push(event);
    }
    events
}

/// `gantt` from `<!-- chart: gantt -->`.
fn chart_name(html: &str) -> Option<&str> {
    html.trim()
        .strip_prefix("<!-- chart:")?
        .strip_suffix("-->")
        .map(str::trim)
}

/// `2027-01-04`, `2027-01-04 → 2027-02-01`, `2027-01-04 09:30:00 Europe/Berlin`:
/// text a table cell must never break (it holds no character HTML escapes).
fn is_date_or_time(text: &str) -> bool {
    let text = text.trim();
    let starts_with_date = text.len() >= 10
        && text.bytes().take(10).enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    starts_with_date
        && text.len() <= 48
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " -:/_+→".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_replace_their_comment_and_mermaid_fallback() {
        let markdown = "# Plan: `x`\n\n| a | Start |\n|---|---|\n| b | 2027-01-04 |\n\n<!-- chart: gantt -->\n\n```mermaid\ngantt\n```\n\n```sh\nkept\n```\n";
        let charts = Charts::from([("gantt", "<svg>drawn</svg>".to_owned())]);
        let page = html_page(markdown, &charts).expect("page");
        assert!(page.contains("<title>Plan: x</title>"), "{page}");
        assert!(page.contains("<figure class=\"chart\"><svg>drawn</svg></figure>"));
        assert!(
            !page.contains("gantt\n"),
            "the Mermaid fallback is left out"
        );
        assert!(page.contains("kept"), "other code blocks stay");
        assert!(page.contains("<td><span class=\"date\">2027-01-04</span></td>"));
        assert!(page.contains("<style>"), "the stylesheet is embedded");
    }

    #[test]
    fn only_whole_dates_and_times_are_kept_from_wrapping() {
        assert!(is_date_or_time("2027-01-04"));
        assert!(is_date_or_time("2027-01-04 09:30:00 Europe/Berlin"));
        assert!(is_date_or_time("2027-01-04 → 2027-02-01"));
        assert!(!is_date_or_time("released 2027-01-04"));
        assert!(!is_date_or_time("2027-01-04 <b>"));
    }
}
