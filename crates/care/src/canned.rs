//! Canned responses: plain-text templates with a fixed set of variables,
//! `{{customer_name}}`, `{{case_number}}`, `{{opening_hours}}` and `{{agent_name}}`.
//!
//! A template is checked when it is saved (an unknown variable is an error naming it) and
//! again when it is used (a variable without a value is an error naming it), so a customer
//! never receives "Hello {{customer_name}}". Rendering is plain text: values go in as they
//! are, and whoever shows the result in HTML escapes it there.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CareError;

/// The variables a canned response may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateVariable {
    CustomerName,
    CaseNumber,
    OpeningHours,
    AgentName,
}

impl TemplateVariable {
    pub const ALL: [TemplateVariable; 4] = [
        TemplateVariable::CustomerName,
        TemplateVariable::CaseNumber,
        TemplateVariable::OpeningHours,
        TemplateVariable::AgentName,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TemplateVariable::CustomerName => "customer_name",
            TemplateVariable::CaseNumber => "case_number",
            TemplateVariable::OpeningHours => "opening_hours",
            TemplateVariable::AgentName => "agent_name",
        }
    }
}

/// The values for one rendering; `None` or a blank value means "not known".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateValues {
    pub customer_name: Option<String>,
    pub case_number: Option<String>,
    /// Usually [`BusinessCalendar::describe_opening_hours`](crate::BusinessCalendar::describe_opening_hours).
    pub opening_hours: Option<String>,
    pub agent_name: Option<String>,
}

impl TemplateValues {
    fn get(&self, variable: TemplateVariable) -> Option<&str> {
        let value = match variable {
            TemplateVariable::CustomerName => &self.customer_name,
            TemplateVariable::CaseNumber => &self.case_number,
            TemplateVariable::OpeningHours => &self.opening_hours,
            TemplateVariable::AgentName => &self.agent_name,
        };
        value
            .as_deref()
            .map(str::trim)
            .filter(|value| !value.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Variable(TemplateVariable),
}

/// A checked canned response. (De)serialises as its template text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CannedResponse {
    template: String,
    pieces: Vec<Piece>,
}

impl CannedResponse {
    /// Checks `template`: every `{{…}}` must name a known variable (spaces inside the braces
    /// are allowed) and every `{{` must be closed.
    pub fn parse(template: &str) -> Result<CannedResponse, CareError> {
        let mut pieces = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let after_open = &rest[open + 2..];
            let close = after_open
                .find("}}")
                .ok_or_else(|| CareError::config("canned response", "a {{ is not closed by }}"))?;
            let name = after_open[..close].trim();
            let variable = TemplateVariable::ALL
                .into_iter()
                .find(|variable| variable.name() == name)
                .ok_or_else(|| CareError::UnknownVariable(name.to_string()))?;
            pieces.push(Piece::Variable(variable));
            rest = &after_open[close + 2..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Ok(CannedResponse {
            template: template.to_string(),
            pieces,
        })
    }

    pub fn template(&self) -> &str {
        &self.template
    }

    /// The variables the template uses, in order of first use.
    pub fn variables(&self) -> Vec<TemplateVariable> {
        let mut variables = Vec::new();
        for piece in &self.pieces {
            if let Piece::Variable(variable) = piece
                && !variables.contains(variable)
            {
                variables.push(*variable);
            }
        }
        variables
    }

    /// The text with every variable replaced; an error names the first variable that has
    /// no value.
    pub fn render(&self, values: &TemplateValues) -> Result<String, CareError> {
        let mut text = String::with_capacity(self.template.len());
        for piece in &self.pieces {
            match piece {
                Piece::Text(literal) => text.push_str(literal),
                Piece::Variable(variable) => {
                    let value = values
                        .get(*variable)
                        .ok_or_else(|| CareError::MissingValue(variable.name().to_string()))?;
                    text.push_str(value);
                }
            }
        }
        Ok(text)
    }
}

impl FromStr for CannedResponse {
    type Err = CareError;

    fn from_str(template: &str) -> Result<Self, Self::Err> {
        CannedResponse::parse(template)
    }
}

impl TryFrom<String> for CannedResponse {
    type Error = CareError;

    fn try_from(template: String) -> Result<Self, Self::Error> {
        CannedResponse::parse(&template)
    }
}

impl From<CannedResponse> for String {
    fn from(response: CannedResponse) -> String {
        response.template
    }
}

impl fmt::Display for CannedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.template)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn values() -> TemplateValues {
        TemplateValues {
            customer_name: Some("Zoé <b>".into()),
            case_number: Some("C-1042".into()),
            opening_hours: Some("du lundi au vendredi, 9h00–19h00 (Europe/Paris)".into()),
            agent_name: Some("Julie".into()),
        }
    }

    #[test]
    fn variables_are_replaced_as_plain_text() {
        let response = CannedResponse::parse(
            "Bonjour {{customer_name}}, votre dossier {{ case_number }} est ouvert. Nous répondons {{opening_hours}}. {{agent_name}}",
        )
        .unwrap();
        assert_eq!(
            response.render(&values()).unwrap(),
            "Bonjour Zoé <b>, votre dossier C-1042 est ouvert. Nous répondons du lundi au vendredi, 9h00–19h00 (Europe/Paris). Julie"
        );
        assert_eq!(response.variables(), TemplateVariable::ALL);
        assert_eq!(
            CannedResponse::parse("No variables { here }")
                .unwrap()
                .render(&TemplateValues::default())
                .unwrap(),
            "No variables { here }"
        );
    }

    #[test]
    fn unknown_variables_and_unclosed_braces_are_refused_by_name() {
        assert_eq!(
            CannedResponse::parse("Hi {{nickname}}"),
            Err(CareError::UnknownVariable("nickname".into()))
        );
        assert_eq!(
            CannedResponse::parse("Hi {{}}"),
            Err(CareError::UnknownVariable(String::new()))
        );
        assert!(matches!(
            CannedResponse::parse("Hi {{customer_name"),
            Err(CareError::InvalidConfig { .. })
        ));
    }

    #[test]
    fn missing_or_blank_values_are_refused_by_name() {
        let response =
            CannedResponse::parse("Hello {{customer_name}}, {{agent_name}} here").unwrap();
        let no_agent = TemplateValues {
            agent_name: Some("  ".into()),
            ..values()
        };
        assert_eq!(
            response.render(&no_agent),
            Err(CareError::MissingValue("agent_name".into()))
        );
        let error = response.render(&TemplateValues::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no value for {{customer_name}} in the canned response"
        );
    }

    #[test]
    fn responses_serialise_as_their_template() {
        let response = CannedResponse::parse("Hi {{customer_name}}").unwrap();
        assert_eq!(
            serde_json::to_string(&response).unwrap(),
            "\"Hi {{customer_name}}\""
        );
        assert!(serde_json::from_str::<CannedResponse>("\"Hi {{nope}}\"").is_err());
    }

    proptest! {
        #[test]
        fn parsing_any_text_never_panics(template in any::<String>()) {
            if let Ok(response) = CannedResponse::parse(&template) {
                let _ = response.render(&values());
                prop_assert_eq!(response.template(), template.as_str());
            }
        }
    }
}
