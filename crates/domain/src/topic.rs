//! A listening topic: a named query that tags incoming and stored mentions.

use serde::{Deserialize, Serialize};

use crate::TopicId;

/// A topic as the user defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewListeningTopic {
    pub name: String,
    /// A query in the listening query language (docs/queries.md).
    pub query: String,
    /// Languages to keep (ISO 639-1 codes); empty means every language.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Who owns the topic (a user e-mail or a team name).
    #[serde(default)]
    pub owner: String,
}

/// A stored topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListeningTopic {
    pub id: TopicId,
    #[serde(flatten)]
    pub topic: NewListeningTopic,
}
