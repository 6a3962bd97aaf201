//! Posts to the brand's own accounts: compose (or amplify a customer's mention), submit,
//! approve or reject, schedule, publish. Agents and crowd responders propose; supervisors
//! and administrators approve and publish. Only the transitions below are allowed (409
//! otherwise):
//!
//! ```text
//! draft ─submit─► pending_approval ─approve─► approved ─publish─► published
//!   ▲                    │                └──► scheduled ─(tick, not paused)─► published
//!   └──── edit ◄── rejected ◄─reject─┘
//! ```

use care::channel::ChannelRules;
use chrono::{DateTime, Utc};
use domain::{MentionId, Principal, Source};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{OutboundRow, PostFilter, PostRow};

use crate::{App, ServiceError};

/// Bytes in a post before the channel's own rule.
const MAX_POST_BYTES: usize = 8 * 1024;
const MAX_NOTE_BYTES: usize = 1_000;
/// Scheduled posts published per tick at most (the rest on the next tick).
const DUE_PER_TICK: usize = 100;

/// `POST /api/v1/posts`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    pub text: String,
    pub channel: String,
    /// One of the brand's accounts on that channel (default: the first configured).
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub scheduled_at: Option<DateTime<Utc>>,
    /// `false` keeps it a draft; by default it goes to approval.
    #[serde(default = "yes")]
    pub submit: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v1/mentions/{id}/amplify`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmplifyRequest {
    /// `repost` or `quote`.
    pub kind: String,
    /// The brand's comment, for a quote.
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub scheduled_at: Option<DateTime<Utc>>,
}

/// `PATCH /api/v1/posts/{id}`: edit a draft, a post waiting for approval, or a rejected
/// one (which becomes a draft again).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostPatch {
    pub text: Option<String>,
    #[serde(default, with = "double_option")]
    pub scheduled_at: Option<Option<DateTime<Utc>>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// `POST /api/v1/posts/{id}/approve|reject`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PostQuery {
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PostPage {
    pub items: Vec<PostRow>,
    pub next_cursor: Option<String>,
}

const STATUSES: [&str; 6] = ["draft", "pending_approval", "approved", "scheduled", "published", "rejected"];

fn not_now(post: &PostRow, wanted: &str) -> ServiceError {
    ServiceError::Conflict(format!("post {} is {}: it cannot {wanted}", post.id, post.status))
}

impl App {
    /// The brand's account on `channel` (the one named, else the first configured).
    fn brand_account(&self, channel: Source, wanted: Option<&str>) -> Result<String, ServiceError> {
        let accounts = self.config.publishing.accounts.iter().filter(|account| account.channel == channel);
        let mut accounts = accounts.map(|account| account.handle.as_str());
        let found = match wanted.map(|handle| handle.trim().trim_start_matches('@')) {
            Some(handle) => accounts.find(|account| account.eq_ignore_ascii_case(handle)),
            None => accounts.next(),
        };
        found.map(str::to_string).ok_or_else(|| {
            ServiceError::Unprocessable(format!("no brand account on {} is configured{}: set [publishing] accounts", channel.as_str(), wanted.map(|handle| format!(" as {handle:?}")).unwrap_or_default()))
        })
    }

    /// The text within the post limit and the channel's rule (422 with the reason).
    pub(crate) fn check_post_text(channel: Source, text: &str, allow_empty: bool) -> Result<String, ServiceError> {
        let text = text.trim();
        if text.len() > MAX_POST_BYTES {
            return Err(ServiceError::Unprocessable(format!("a post has at most {MAX_POST_BYTES} bytes")));
        }
        if text.is_empty() {
            return if allow_empty { Ok(String::new()) } else { Err(ServiceError::Unprocessable("a post needs a text".into())) };
        }
        ChannelRules::for_source(channel).check(text).map_err(|error| ServiceError::Unprocessable(error.to_string()))?;
        Ok(text.to_string())
    }

    pub fn create_post(&self, principal: &Principal, request: &NewPost) -> Result<PostRow, ServiceError> {
        let channel: Source = request.channel.parse().map_err(|_| ServiceError::Unprocessable(format!("{:?} is not a channel", request.channel)))?;
        let account = self.brand_account(channel, request.account.as_deref())?;
        let text = Self::check_post_text(channel, &request.text, false)?;
        let status = if request.submit { "pending_approval" } else { "draft" };
        self.insert_post(principal, channel, account, "post", text, None, request.scheduled_at, status)
    }

    /// Reposts or quotes a customer's mention from the brand's account on its channel.
    pub fn amplify_mention(&self, principal: &Principal, mention_id: i64, request: &AmplifyRequest) -> Result<PostRow, ServiceError> {
        let mention = self.store().get_mention(MentionId(mention_id))?.ok_or_else(|| ServiceError::NotFound(format!("no mention {mention_id}")))?;
        let channel = mention.mention.source;
        let account = self.brand_account(channel, request.account.as_deref())?;
        let text = match (request.kind.as_str(), request.text.as_deref()) {
            ("repost", None) => String::new(),
            ("repost", Some(_)) => return Err(ServiceError::Unprocessable("a repost has no text of its own: use a quote".into())),
            ("quote", Some(text)) => Self::check_post_text(channel, text, false)?,
            ("quote", None) => return Err(ServiceError::Unprocessable("a quote needs a text".into())),
            (other, _) => return Err(ServiceError::Unprocessable(format!("kind is \"repost\" or \"quote\", not {other:?}"))),
        };
        self.insert_post(principal, channel, account, &request.kind, text, Some(mention_id), request.scheduled_at, "pending_approval")
    }

    #[allow(clippy::too_many_arguments)]
    fn insert_post(
        &self,
        principal: &Principal,
        channel: Source,
        account: String,
        kind: &str,
        text: String,
        mention_id: Option<i64>,
        scheduled_at: Option<DateTime<Utc>>,
        status: &str,
    ) -> Result<PostRow, ServiceError> {
        let now = Utc::now();
        let post = self.store().create_post(&PostRow {
            id: 0,
            channel,
            account,
            kind: kind.into(),
            text,
            mention_id,
            incident_id: None,
            status: status.into(),
            scheduled_at,
            created_by: principal.actor.clone(),
            reviewed_by: None,
            review_note: None,
            published_at: None,
            outbox_id: None,
            created_at: now,
            updated_at: now,
        })?;
        self.audit(&principal.actor, "post.create", "post", post.id, None, Some(json!({"status": post.status, "kind": post.kind, "channel": post.channel})))?;
        Ok(post)
    }

    pub fn get_post(&self, id: i64) -> Result<PostRow, ServiceError> {
        self.store().get_post(id)?.ok_or_else(|| ServiceError::NotFound(format!("no post {id}")))
    }

    pub fn list_posts(&self, query: &PostQuery) -> Result<PostPage, ServiceError> {
        if let Some(status) = query.status.as_deref().filter(|status| !STATUSES.contains(status)) {
            return Err(ServiceError::Invalid(format!("status is one of {}, not {status:?}", STATUSES.join(", "))));
        }
        let before_id = query.cursor.as_deref().map(str::parse::<i64>).transpose().map_err(|_| ServiceError::Invalid("unknown cursor".into()))?;
        let limit = query.limit.unwrap_or(50).clamp(1, 200);
        let items = self.store().list_posts(&PostFilter { status: query.status.clone(), incident_id: None, before_id, limit: limit + 1 })?;
        let more = items.len() > limit;
        let items: Vec<PostRow> = items.into_iter().take(limit).collect();
        let next_cursor = if more { items.last().map(|post| post.id.to_string()) } else { None };
        Ok(PostPage { items, next_cursor })
    }

    /// Writes a change made from `expected` (409 when someone changed it meanwhile).
    fn save_post(&self, principal: &Principal, post: &PostRow, expected: &str, action: &str) -> Result<PostRow, ServiceError> {
        if !self.store().update_post_if(post, expected)? {
            return Err(ServiceError::Conflict(format!("post {} changed meanwhile: reload it", post.id)));
        }
        self.audit(&principal.actor, action, "post", post.id, Some(json!({"status": expected})), Some(json!({"status": post.status})))?;
        self.get_post(post.id)
    }

    pub fn edit_post(&self, principal: &Principal, id: i64, patch: &PostPatch) -> Result<PostRow, ServiceError> {
        let mut post = self.get_post(id)?;
        let expected = post.status.clone();
        if !matches!(expected.as_str(), "draft" | "pending_approval" | "rejected") {
            return Err(not_now(&post, "be edited"));
        }
        if let Some(text) = &patch.text {
            post.text = Self::check_post_text(post.channel, text, post.kind == "repost")?;
        }
        if let Some(scheduled_at) = patch.scheduled_at {
            post.scheduled_at = scheduled_at;
        }
        if expected == "rejected" {
            post.status = "draft".into();
        }
        self.save_post(principal, &post, &expected, "post.edit")
    }

    pub fn submit_post(&self, principal: &Principal, id: i64) -> Result<PostRow, ServiceError> {
        let mut post = self.get_post(id)?;
        if post.status != "draft" {
            return Err(not_now(&post, "be submitted"));
        }
        post.status = "pending_approval".into();
        self.save_post(principal, &post, "draft", "post.submit")
    }

    /// Approves a post waiting for approval: `scheduled` when it has a time to come,
    /// `approved` (to publish by hand) otherwise.
    pub fn approve_post(&self, principal: &Principal, id: i64, review: &ReviewRequest) -> Result<PostRow, ServiceError> {
        let mut post = self.get_post(id)?;
        if post.status != "pending_approval" {
            return Err(not_now(&post, "be approved"));
        }
        post.status = if post.scheduled_at.is_some_and(|at| at > Utc::now()) { "scheduled" } else { "approved" }.into();
        post.reviewed_by = Some(principal.actor.clone());
        post.review_note = review_note(review)?;
        self.save_post(principal, &post, "pending_approval", "post.approve")
    }

    pub fn reject_post(&self, principal: &Principal, id: i64, review: &ReviewRequest) -> Result<PostRow, ServiceError> {
        let mut post = self.get_post(id)?;
        if post.status != "pending_approval" {
            return Err(not_now(&post, "be rejected"));
        }
        post.status = "rejected".into();
        post.reviewed_by = Some(principal.actor.clone());
        post.review_note = review_note(review)?;
        self.save_post(principal, &post, "pending_approval", "post.reject")
    }

    /// Publishes an approved (or scheduled) post now; refused while publishing is paused.
    pub fn publish_post_now(&self, principal: &Principal, id: i64) -> Result<PostRow, ServiceError> {
        let post = self.get_post(id)?;
        if !matches!(post.status.as_str(), "approved" | "scheduled") {
            return Err(not_now(&post, "be published"));
        }
        if self.pause_state()?.paused() {
            return Err(ServiceError::Conflict("publishing is paused: resume it first (POST /api/v1/publishing/resume)".into()));
        }
        let published = self.send_post(&post)?.ok_or_else(|| ServiceError::Conflict(format!("post {id} changed meanwhile: reload it")))?;
        self.audit(&principal.actor, "post.publish", "post", id, Some(json!({"status": post.status})), Some(json!({"status": "published", "outbox_id": published.outbox_id})))?;
        Ok(published)
    }

    /// Records the post in the outbox (the sandbox sink) and marks it published, once.
    pub(crate) fn send_post(&self, post: &PostRow) -> Result<Option<PostRow>, ServiceError> {
        let quoted = match post.mention_id {
            Some(mention) => self.store().get_mention(MentionId(mention))?,
            None => None,
        };
        let now = Utc::now();
        let outbound = OutboundRow {
            id: 0,
            case_id: None,
            post_id: Some(post.id),
            channel: post.channel,
            // A repost or a quote names the customer's post it amplifies.
            in_reply_to: quoted.as_ref().map(|stored| stored.mention.external_id.clone()),
            recipient: None,
            text: post.text.clone(),
            visibility: if post.kind == "post" { "public".into() } else { post.kind.clone() },
            status: "sent".into(),
            attempts: 1,
            created_at: now,
            updated_at: now,
        };
        Ok(self.store().publish_post(post.id, &post.status, &outbound)?)
    }

    pub(crate) fn publish_due_posts(&self, now: DateTime<Utc>) -> Result<(), ServiceError> {
        for post in self.store().due_posts(now, DUE_PER_TICK)? {
            if let Some(published) = self.send_post(&post)? {
                self.audit("scheduler", "post.publish", "post", post.id, Some(json!({"status": "scheduled"})), Some(json!({"status": "published", "outbox_id": published.outbox_id})))?;
            }
        }
        Ok(())
    }
}

fn review_note(review: &ReviewRequest) -> Result<Option<String>, ServiceError> {
    let note = review.note.as_deref().map(str::trim).filter(|note| !note.is_empty());
    if note.is_some_and(|note| note.len() > MAX_NOTE_BYTES) {
        return Err(ServiceError::Unprocessable(format!("a review note has at most {MAX_NOTE_BYTES} bytes")));
    }
    Ok(note.map(str::to_string))
}
