//! The JSON a webhook receives, in the shape its service expects:
//! cutover's own (`generic`), a Slack incoming webhook (Block Kit, within
//! Slack's documented limits), a Microsoft Teams incoming webhook (an
//! Adaptive Card 1.4), or a Mattermost incoming webhook (Markdown text).

use serde_json::{Value, json};

use crate::spec::WebhookFormat;
use crate::store::OutboxMessage;

/// Slack's limits: header text, section text, button text, blocks.
const SLACK_HEADER: usize = 150;
const SLACK_SECTION: usize = 3000;
const SLACK_BUTTON: usize = 75;
const SLACK_BLOCKS: usize = 50;

/// The payload of `message` for `format`.
pub fn payload(format: WebhookFormat, message: &OutboxMessage, migration: &str) -> Value {
    match format {
        WebhookFormat::Generic => generic(message, migration),
        WebhookFormat::Slack => slack(message),
        WebhookFormat::Teams => teams(message),
        WebhookFormat::Mattermost => mattermost(message),
    }
}

fn generic(message: &OutboxMessage, migration: &str) -> Value {
    let m = &message.message;
    json!({
        "format_version": 1,
        "id": m.key,
        "migration": migration,
        "kind": m.kind,
        "group": m.group,
        "recipients": m.recipients,
        "subject": m.subject,
        "body": m.body,
        "actions": m.actions,
        "needs_ack": m.needs_ack,
        "level": m.level,
        "created_at": message.created_at,
    })
}

/// At most `limit` characters, cut at a character boundary with `…`.
fn clip(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(limit.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Markdown as Slack's mrkdwn writes it (bold is `*x*`).
fn mrkdwn(text: &str) -> String {
    text.replace("**", "*")
}

fn slack(message: &OutboxMessage) -> Value {
    let m = &message.message;
    let mut blocks = vec![json!({
        "type": "header",
        "text": { "type": "plain_text", "text": clip(&m.subject, SLACK_HEADER) },
    })];
    let body = mrkdwn(&m.body);
    let mut chunk = String::new();
    for line in body.lines() {
        if chunk.chars().count() + line.chars().count() + 1 > SLACK_SECTION && !chunk.is_empty() {
            blocks.push(section(&chunk));
            chunk.clear();
        }
        chunk.push_str(&clip(line, SLACK_SECTION));
        chunk.push('\n');
    }
    if !chunk.trim().is_empty() {
        blocks.push(section(&chunk));
    }
    let buttons: Vec<Value> = m
        .actions
        .iter()
        .filter_map(|action| action.url.as_ref().map(|url| (action, url)))
        .enumerate()
        .map(|(index, (action, url))| {
            json!({
                "type": "button",
                "text": { "type": "plain_text", "text": clip(&action.label, SLACK_BUTTON) },
                "url": url,
                "action_id": format!("cutover-{index}"),
            })
        })
        .take(25)
        .collect();
    blocks.truncate(SLACK_BLOCKS - 2);
    if !buttons.is_empty() {
        blocks.push(json!({ "type": "actions", "elements": buttons }));
    }
    blocks.push(json!({
        "type": "context",
        "elements": [{ "type": "mrkdwn", "text": format!("cutover · message `{}`", m.key) }],
    }));
    json!({ "text": clip(&m.subject, SLACK_SECTION), "blocks": blocks })
}

fn section(text: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": text.trim_end() } })
}

fn teams(message: &OutboxMessage) -> Value {
    let m = &message.message;
    let actions: Vec<Value> =
        m.actions
            .iter()
            .filter_map(|action| {
                action.url.as_ref().map(
                    |url| json!({ "type": "Action.OpenUrl", "title": action.label, "url": url }),
                )
            })
            .collect();
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    { "type": "TextBlock", "text": m.subject, "weight": "Bolder", "size": "Medium", "wrap": true },
                    { "type": "TextBlock", "text": m.body, "wrap": true },
                ],
                "actions": actions,
            },
        }],
    })
}

fn mattermost(message: &OutboxMessage) -> Value {
    let m = &message.message;
    json!({
        "username": "cutover",
        "text": format!("#### {}\n\n{}", m.subject, m.body),
        "props": { "cutover_message": m.key },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_characters_whole() {
        assert_eq!(clip("héllo", 10), "héllo");
        assert_eq!(clip("héllo", 3), "hé…");
    }
}
