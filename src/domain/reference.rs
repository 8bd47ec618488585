//! How a command names a schedule: a full UUID, a unique id prefix of at least 4 hex digits,
//! or its exact name.

use uuid::Uuid;

/// The shortest accepted id prefix.
pub const MIN_PREFIX: usize = 4;

/// A parsed REF argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleRef {
    /// A full UUID.
    Id(Uuid),
    /// Could be an id prefix (lower-cased) or a name: both are looked up.
    PrefixOrName {
        /// The lower-cased prefix of the hyphenated id.
        prefix: String,
        /// The text as given, matched exactly against names.
        name: String,
    },
    /// Only a name.
    Name(String),
}

impl ScheduleRef {
    /// Classifies the text.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        if let Ok(id) = Uuid::parse_str(text) {
            return Self::Id(id);
        }
        let hexish = text.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        let digits = text.chars().filter(char::is_ascii_hexdigit).count();
        if hexish && digits >= MIN_PREFIX && text.len() <= 36 {
            Self::PrefixOrName {
                prefix: text.to_ascii_lowercase(),
                name: text.to_string(),
            }
        } else {
            Self::Name(text.to_string())
        }
    }

    /// The text as the user wrote it, for messages.
    pub fn display(&self) -> String {
        match self {
            Self::Id(id) => id.to_string(),
            Self::PrefixOrName { name, .. } | Self::Name(name) => name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_refs() {
        let id = Uuid::parse_str("3f2a9c1e-7b4d-4c1e-9a8b-0123456789ab").unwrap();
        assert_eq!(
            ScheduleRef::parse("3f2a9c1e-7b4d-4c1e-9a8b-0123456789ab"),
            ScheduleRef::Id(id)
        );
        assert_eq!(
            ScheduleRef::parse("3F2A9C1E7B4D4C1E9A8B0123456789AB"),
            ScheduleRef::Id(id)
        );
        assert_eq!(
            ScheduleRef::parse("3F2a"),
            ScheduleRef::PrefixOrName {
                prefix: "3f2a".into(),
                name: "3F2a".into()
            }
        );
        assert_eq!(ScheduleRef::parse("abc"), ScheduleRef::Name("abc".into()));
        assert_eq!(
            ScheduleRef::parse("daily_report"),
            ScheduleRef::Name("daily_report".into())
        );
        assert_eq!(
            ScheduleRef::parse("beef"),
            ScheduleRef::PrefixOrName {
                prefix: "beef".into(),
                name: "beef".into()
            }
        );
    }
}
