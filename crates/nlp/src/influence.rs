//! Real influence: how far an author's voice carries, from the engagement their posts
//! earn and the echoes they get, not from their follower count.
//!
//! The state is small and serialisable; the service keeps one per author and updates it
//! as mentions arrive.
//!
//! Formula (score in [0, 100]):
//! - weighted engagement of a post `w = likes + 2·replies + 3·(reposts + quotes)`
//!   (reposts and quotes carry the voice to new audiences, replies are conversation);
//! - `E` = running mean of `w` over the author's own posts (an exponential moving
//!   average once 50 posts are seen, so influence follows recent posts), shrunk towards
//!   zero while few posts are seen: `E' = E · n / (n + 5)`;
//! - `R` = the same average of `w / (followers + 100)`, the engagement relative to the
//!   audience, shrunk the same way;
//! - `echoes` = reposts, quotes and replies by other authors seen in the stream;
//! - `score = 20·log10(1 + E')` capped at 60 (reach: 1,000 weighted interactions per
//!   post saturate) `+ 25·min(1, R' / 0.05)` (resonance: 5% of the audience engaging
//!   saturates) `+ 15·min(1, log10(1 + echoes) / 3)` (echo: 1,000 echoes saturate).
//!
//! A celebrity with a million followers and 100 likes a post scores about 40; a local
//! voice with 2,000 followers whose posts earn 200 weighted interactions scores about 71.

use domain::PublicMetrics;
use serde::{Deserialize, Serialize};

/// Posts after which the running mean becomes a moving average.
const AVERAGE_WINDOW: f64 = 50.0;
/// Pseudo-posts of zero engagement that shrink the means of new authors.
const PRIOR_POSTS: f64 = 5.0;

/// How another author echoed this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Echo {
    Repost,
    Quote,
    Reply,
}

/// The per-author state behind [`InfluenceState::score`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InfluenceState {
    /// Own posts observed (reposts of others excluded).
    pub posts: u64,
    /// Running mean of weighted engagement per post.
    pub mean_engagement: f64,
    /// Running mean of weighted engagement per post relative to the audience.
    pub mean_engagement_rate: f64,
    /// Reposts, quotes and replies by other authors seen in the stream.
    pub echoes: u64,
}

impl InfluenceState {
    /// Adds one of the author's own posts, with its metrics and the author's follower
    /// count at the time. Call it once per post (with the latest metrics you have);
    /// use [`InfluenceState::revise_post`] when the metrics of a seen post grow.
    pub fn observe_post(&mut self, metrics: &PublicMetrics, followers: Option<u64>) {
        self.posts += 1;
        let weight = (1.0 / self.posts as f64).max(1.0 / AVERAGE_WINDOW);
        let engagement = weighted_engagement(metrics);
        let rate = engagement / (followers.unwrap_or(0) as f64 + 100.0);
        self.mean_engagement += weight * (engagement - self.mean_engagement);
        self.mean_engagement_rate += weight * (rate - self.mean_engagement_rate);
    }

    /// Accounts for the growth of a post already observed (new likes, reposts…).
    pub fn revise_post(
        &mut self,
        before: &PublicMetrics,
        after: &PublicMetrics,
        followers: Option<u64>,
    ) {
        if self.posts == 0 {
            return self.observe_post(after, followers);
        }
        let weight = (1.0 / self.posts as f64).max(1.0 / AVERAGE_WINDOW);
        let growth = (weighted_engagement(after) - weighted_engagement(before)).max(0.0);
        self.mean_engagement += weight * growth;
        self.mean_engagement_rate += weight * growth / (followers.unwrap_or(0) as f64 + 100.0);
    }

    /// Another author reposted, quoted or replied to this author.
    pub fn observe_echo(&mut self, _echo: Echo) {
        self.echoes += 1;
    }

    /// The influence score in [0, 100] (formula in the module docs).
    pub fn score(&self) -> f64 {
        let shrink = self.posts as f64 / (self.posts as f64 + PRIOR_POSTS);
        let reach = (20.0 * (1.0 + self.mean_engagement * shrink).log10()).min(60.0);
        let resonance = 25.0 * (self.mean_engagement_rate * shrink / 0.05).min(1.0);
        let echo = 15.0 * ((1.0 + self.echoes as f64).log10() / 3.0).min(1.0);
        (reach + resonance + echo).clamp(0.0, 100.0)
    }
}

fn weighted_engagement(metrics: &PublicMetrics) -> f64 {
    metrics.likes as f64
        + 2.0 * metrics.replies as f64
        + 3.0 * (metrics.reposts + metrics.quotes) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(likes: u64, reposts: u64, replies: u64) -> PublicMetrics {
        PublicMetrics {
            likes,
            reposts,
            replies,
            quotes: 0,
        }
    }

    fn after_posts(count: usize, post: PublicMetrics, followers: u64) -> InfluenceState {
        let mut state = InfluenceState::default();
        for _ in 0..count {
            state.observe_post(&post, Some(followers));
        }
        state
    }

    #[test]
    fn engagement_beats_follower_count() {
        let celebrity = after_posts(100, metrics(100, 0, 0), 1_000_000);
        let local_voice = after_posts(100, metrics(110, 20, 15), 2_000);
        assert!(
            (celebrity.score() - 40.0).abs() < 2.0,
            "{}",
            celebrity.score()
        );
        assert!(
            (local_voice.score() - 71.0).abs() < 2.0,
            "{}",
            local_voice.score()
        );
    }

    #[test]
    fn one_viral_post_is_shrunk() {
        let one = after_posts(1, metrics(1_000, 100, 50), 500);
        let many = after_posts(50, metrics(1_000, 100, 50), 500);
        assert!(one.score() < many.score());
        assert_eq!(InfluenceState::default().score(), 0.0);
    }

    #[test]
    fn echoes_and_revisions_raise_the_score_and_state_round_trips() {
        let mut state = after_posts(10, metrics(5, 0, 0), 100);
        let before = state.score();
        state.revise_post(&metrics(5, 0, 0), &metrics(50, 10, 0), Some(100));
        for _ in 0..20 {
            state.observe_echo(Echo::Repost);
        }
        assert!(state.score() > before);
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(
            serde_json::from_str::<InfluenceState>(&json).unwrap(),
            state
        );
    }
}
