//! The listening pages' use cases (issue #7 §1): topics edited and previewed live, the
//! search narrowed to a topic and a time window with counts per topic, and the listening
//! dashboard — volume by source and sentiment with incidents marked, share of voice
//! between topics, complaint reasons, intents, top authors, emerging terms — with each
//! chart's table for CSV export.
//!
//! Every count comes from the search index's fast fields (one pass for the volume,
//! reasons and intents, one count per topic for the share of voice), never from rows.

mod export;
mod topics;

use chrono::{DateTime, Utc};
use domain::{ListeningTopic, TopicId};
use search::{Buckets, Sort};
use serde::Serialize;

pub use export::{csv_cell, ChartTable, CHARTS};
pub use search::TimeRange;
pub use topics::{query_problem, topic_query, QueryProblem, TopicPreview, MAX_QUERY_BYTES, PREVIEW_MENTIONS};

use crate::{App, AuthorView, SearchOutput, ServiceError};

/// The dashboard's preset windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Range {
    /// 24 hourly buckets.
    #[serde(rename = "24h")]
    Day,
    /// 28 buckets of 6 hours.
    #[serde(rename = "7d")]
    Week,
    /// 30 daily buckets.
    #[serde(rename = "30d")]
    Month,
    /// Everything stored, in at most 60 buckets of a round length.
    #[serde(rename = "all")]
    All,
}

impl Range {
    pub fn parse(text: &str) -> Result<Range, ServiceError> {
        match text {
            "24h" => Ok(Range::Day),
            "7d" => Ok(Range::Week),
            "30d" => Ok(Range::Month),
            "all" => Ok(Range::All),
            other => Err(ServiceError::Invalid(format!("range {other:?} is not one of 24h, 7d, 30d, all"))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Range::Day => "24h",
            Range::Week => "7d",
            Range::Month => "30d",
            Range::All => "all",
        }
    }

    /// (bucket length in seconds, number of buckets) of the preset windows.
    fn buckets(self) -> Option<(i64, usize)> {
        match self {
            Range::Day => Some((3_600, 24)),
            Range::Week => Some((6 * 3_600, 28)),
            Range::Month => Some((86_400, 30)),
            Range::All => None,
        }
    }
}

/// Buckets covering `[oldest, newest]` in at most 60 buckets of a round length.
fn spanning_buckets(oldest: i64, newest: i64) -> Buckets {
    const LENGTHS: [i64; 8] = [3_600, 6 * 3_600, 86_400, 7 * 86_400, 30 * 86_400, 91 * 86_400, 365 * 86_400, 3_650 * 86_400];
    let newest = newest.max(oldest);
    for seconds in LENGTHS {
        let from = oldest.div_euclid(seconds) * seconds;
        let count = ((newest - from) / seconds + 1) as usize;
        if count <= 60 || seconds == LENGTHS[LENGTHS.len() - 1] {
            return Buckets { from, seconds, count: count.min(600) };
        }
    }
    unreachable!("the last length always returns")
}

/// What the dashboard is asked for.
#[derive(Debug, Clone, Copy)]
pub struct DashboardRequest {
    pub topic: Option<TopicId>,
    pub range: Range,
    /// The window's end (exclusive); `None`: now, or the newest stored mention when
    /// nothing was stored during the range (an imported archive shows its last days).
    pub until: Option<DateTime<Utc>>,
}

/// One named count per bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketSeries {
    pub name: String,
    pub counts: Vec<u64>,
}

/// One value and how many mentions have it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueCount {
    pub value: String,
    pub mentions: u64,
}

/// A topic's share of the mentions of every topic in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicShare {
    pub topic_id: TopicId,
    pub name: String,
    pub mentions: u64,
    /// In [0, 1] of the topics' total (a mention in two topics counts for both).
    pub share: f64,
}

/// An incident of the early warning overlapping the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentMark {
    pub id: i64,
    pub slice: String,
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Indices of the buckets it covers.
    pub buckets: Vec<usize>,
}

/// A term rising against its own baseline in a topic (weak signal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmergingTerm {
    pub topic: String,
    pub term: String,
    pub count: u64,
    pub baseline: f64,
    pub score: f64,
}

/// Everything the listening dashboard draws.
#[derive(Debug, Clone, Serialize)]
pub struct ListeningDashboard {
    pub topic: Option<ListeningTopic>,
    pub range: Range,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub bucket_seconds: i64,
    /// Start of each bucket.
    pub buckets: Vec<DateTime<Utc>>,
    /// Mentions in the window (narrowed to the topic, if any).
    pub total: u64,
    pub per_bucket: Vec<u64>,
    pub by_source: Vec<BucketSeries>,
    pub by_sentiment: Vec<BucketSeries>,
    /// Buckets inside an incident (sorted, no repeats).
    pub anomalies: Vec<usize>,
    pub incidents: Vec<IncidentMark>,
    pub share_of_voice: Vec<TopicShare>,
    pub reasons: Vec<ValueCount>,
    pub intents: Vec<ValueCount>,
    /// By real influence over everything stored (not only the window).
    pub top_authors: Vec<AuthorView>,
    /// The latest weak signals of the topic (or of every topic), strongest first.
    pub emerging_terms: Vec<EmergingTerm>,
}

/// Top authors and emerging terms shown.
const TOP_ITEMS: usize = 10;
/// Incidents looked at for the marks (newest first).
const RECENT_INCIDENTS: usize = 200;

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

fn series(counts: search::BucketSeries) -> Vec<BucketSeries> {
    counts.into_iter().map(|(name, counts)| BucketSeries { name, counts }).collect()
}

fn values(counts: Vec<(String, u64)>) -> Vec<ValueCount> {
    counts.into_iter().map(|(value, mentions)| ValueCount { value, mentions }).collect()
}

/// Whether an incident's slice concerns the dashboard: every slice without a topic,
/// the whole stream's slices and the topic's own with one.
fn slice_concerns(slice: &str, topic: Option<&ListeningTopic>) -> bool {
    match (slice.strip_prefix("topic:"), topic) {
        (_, None) => true,
        (Some(name), Some(topic)) => name == topic.topic.name,
        (None, Some(_)) => true,
    }
}

impl App {
    /// The window a dashboard request covers, aligned on its buckets.
    fn dashboard_buckets(&self, request: &DashboardRequest) -> Result<Buckets, ServiceError> {
        let now = Utc::now().timestamp();
        let span = self.index().time_span()?;
        let Some((seconds, count)) = request.range.buckets() else {
            let (oldest, newest) = span.unwrap_or((now, now));
            let newest = request.until.map_or(newest, |until| until.timestamp() - 1);
            return Ok(spanning_buckets(oldest.min(newest), newest));
        };
        let end = match request.until {
            Some(until) => until.timestamp() - 1,
            None => {
                let newest = span.map(|(_, newest)| newest);
                match newest {
                    Some(newest) if newest < now - seconds * count as i64 => newest,
                    _ => now,
                }
            }
        };
        // The last bucket holds `end`: the window ends at the next bucket boundary.
        let to = (end.div_euclid(seconds) + 1) * seconds;
        Ok(Buckets { from: to - seconds * count as i64, seconds, count })
    }

    /// The listening dashboard for a topic (or every mention) over a range.
    pub fn listening_dashboard(&self, request: &DashboardRequest) -> Result<ListeningDashboard, ServiceError> {
        let topics = self.list_topics()?;
        let topic = match request.topic {
            Some(id) => Some(topics.iter().find(|topic| topic.id == id).cloned().ok_or_else(|| ServiceError::NotFound(format!("no topic {}", id.0)))?),
            None => None,
        };
        let query = match &topic {
            Some(topic) => topic_query(&topic.topic)?,
            None => listen::parse("*")?,
        };
        let buckets = self.dashboard_buckets(request)?;
        let window = TimeRange { from: buckets.from, to: buckets.to() };
        let counts = self.index().aggregate(&query, buckets)?;
        let mut share_of_voice = Vec::with_capacity(topics.len());
        for candidate in &topics {
            let Ok(query) = topic_query(&candidate.topic) else { continue };
            let mentions = self.index().count(&query, Some(window))? as u64;
            share_of_voice.push(TopicShare { topic_id: candidate.id, name: candidate.topic.name.clone(), mentions, share: 0.0 });
        }
        let topics_total: u64 = share_of_voice.iter().map(|share| share.mentions).sum();
        for share in &mut share_of_voice {
            share.share = if topics_total > 0 { share.mentions as f64 / topics_total as f64 } else { 0.0 };
        }
        share_of_voice.sort_by(|a, b| b.mentions.cmp(&a.mentions).then_with(|| a.name.cmp(&b.name)));
        let incidents = self.incident_marks(&buckets, topic.as_ref())?;
        let mut anomalies: Vec<usize> = incidents.iter().flat_map(|incident| incident.buckets.iter().copied()).collect();
        anomalies.sort_unstable();
        anomalies.dedup();
        Ok(ListeningDashboard {
            range: request.range,
            from: at(buckets.from),
            to: at(buckets.to()),
            bucket_seconds: buckets.seconds,
            buckets: (0..buckets.count).map(|i| at(buckets.from + buckets.seconds * i as i64)).collect(),
            total: counts.total,
            per_bucket: counts.per_bucket,
            by_source: series(counts.by_source),
            by_sentiment: series(counts.by_sentiment),
            anomalies,
            incidents,
            share_of_voice,
            reasons: values(counts.by_reason),
            intents: values(counts.by_intent),
            top_authors: self.top_authors(TOP_ITEMS)?,
            emerging_terms: self.emerging_terms(topic.as_ref())?,
            topic,
        })
    }

    fn incident_marks(&self, buckets: &Buckets, topic: Option<&ListeningTopic>) -> Result<Vec<IncidentMark>, ServiceError> {
        let now = Utc::now().timestamp();
        let mut marks = Vec::new();
        for incident in self.list_incidents(None, RECENT_INCIDENTS)?.items {
            if !slice_concerns(&incident.slice, topic) {
                continue;
            }
            let start = incident.started_at.timestamp();
            let end = incident.ended_at.map_or(now, |ended| ended.timestamp()).max(start);
            if end < buckets.from || start >= buckets.to() {
                continue;
            }
            let first = buckets.index_of(start.max(buckets.from)).unwrap_or(0);
            let last = buckets.index_of(end.min(buckets.to() - 1)).unwrap_or(buckets.count.saturating_sub(1));
            marks.push(IncidentMark {
                id: incident.id,
                slice: incident.slice.clone(),
                status: incident.status.as_str().to_string(),
                started_at: incident.started_at,
                ended_at: incident.ended_at,
                buckets: (first..=last).collect(),
            });
        }
        Ok(marks)
    }

    fn emerging_terms(&self, topic: Option<&ListeningTopic>) -> Result<Vec<EmergingTerm>, ServiceError> {
        let saved = crate::early_warning::saved_weak_signals(self.store().as_ref())?;
        let mut terms: Vec<EmergingTerm> = saved
            .into_iter()
            .filter(|(name, _)| topic.is_none_or(|topic| &topic.topic.name == name))
            .flat_map(|(name, signals)| {
                signals.signals.into_iter().map(move |found| EmergingTerm {
                    topic: name.clone(),
                    term: found.signal.term,
                    count: found.signal.count,
                    baseline: found.signal.baseline,
                    score: found.signal.score,
                })
            })
            .collect();
        terms.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.term.cmp(&b.term)));
        terms.truncate(TOP_ITEMS);
        Ok(terms)
    }

    /// A search narrowed to a topic and a window, with how many of its matches each
    /// topic holds (the search page's topic facet).
    pub fn listening_search(&self, request: &ListeningSearch) -> Result<ListeningSearchOutput, ServiceError> {
        if request.query.len() > MAX_QUERY_BYTES {
            return Err(ServiceError::Invalid(format!("the query is longer than {MAX_QUERY_BYTES} bytes")));
        }
        let topics = self.list_topics()?;
        let mut query = listen::parse(&request.query)?;
        if let Some(id) = request.topic {
            let topic = topics.iter().find(|topic| topic.id == id).ok_or_else(|| ServiceError::NotFound(format!("no topic {}", id.0)))?;
            query = query.and(&topic_query(&topic.topic)?);
        }
        let mut by_topic = Vec::new();
        for topic in &topics {
            let Ok(topic_only) = topic_query(&topic.topic) else { continue };
            let mentions = self.index().count(&query.and(&topic_only), request.within)? as u64;
            if mentions > 0 {
                by_topic.push(TopicShare { topic_id: topic.id, name: topic.topic.name.clone(), mentions, share: 0.0 });
            }
        }
        by_topic.sort_by(|a, b| b.mentions.cmp(&a.mentions).then_with(|| a.name.cmp(&b.name)));
        let found = self.search_parsed(query, request.within, request.sort, request.limit, request.offset)?;
        let cases = self.cases_of(&found.mentions)?;
        Ok(ListeningSearchOutput { found, by_topic, cases })
    }

    /// The case holding each mention, when one does (its own message or its thread's).
    fn cases_of(&self, mentions: &[domain::StoredMention]) -> Result<Vec<(domain::MentionId, i64)>, ServiceError> {
        let mut cases = Vec::new();
        for stored in mentions {
            let mention = &stored.mention;
            let mut ids = vec![mention.external_id.as_str()];
            ids.extend(mention.links.in_reply_to.as_deref());
            if let Some((_, case_id)) = self.store().find_case_threads(mention.source, &ids)?.first() {
                cases.push((stored.id, *case_id));
            }
        }
        Ok(cases)
    }
}

/// The search page's request.
#[derive(Debug, Clone)]
pub struct ListeningSearch {
    pub query: String,
    pub topic: Option<TopicId>,
    pub within: Option<TimeRange>,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
}

/// The search page's answer.
#[derive(Debug, Clone, Serialize)]
pub struct ListeningSearchOutput {
    pub found: SearchOutput,
    /// Topics holding some of the matches, most first (`share` unused: 0).
    pub by_topic: Vec<TopicShare>,
    /// The case holding each hit that is in one.
    pub cases: Vec<(domain::MentionId, i64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_and_name_themselves() {
        for range in [Range::Day, Range::Week, Range::Month] {
            assert_eq!(Range::parse(range.as_str()).unwrap(), range);
        }
        assert!(Range::parse("1y").is_err());
        assert_eq!(Range::Week.buckets(), Some((21_600, 28)));
        assert_eq!(Range::parse("all").unwrap().buckets(), None);
    }

    #[test]
    fn everything_fits_in_at_most_sixty_round_buckets() {
        let day = 86_400;
        let two_days = spanning_buckets(10 * day + 5, 12 * day - 1);
        assert_eq!((two_days.from, two_days.seconds, two_days.count), (10 * day, 3_600, 48));
        let years = spanning_buckets(0, 8 * 365 * day);
        assert!(years.count <= 60 && years.from <= 0 && years.to() > 8 * 365 * day, "{years:?}");
        let one = spanning_buckets(100, 100);
        assert_eq!((one.count, one.index_of(100)), (1, Some(0)));
    }

    #[test]
    fn incidents_of_other_topics_are_not_marked_on_a_topic() {
        let topic = ListeningTopic {
            id: TopicId(1),
            topic: domain::NewListeningTopic { name: "Panne".into(), query: "panne".into(), languages: vec![], owner: String::new() },
        };
        assert!(slice_concerns("topic:Panne", Some(&topic)));
        assert!(!slice_concerns("topic:Bagages", Some(&topic)));
        assert!(slice_concerns("total", Some(&topic)));
        assert!(slice_concerns("topic:Bagages", None));
    }
}
