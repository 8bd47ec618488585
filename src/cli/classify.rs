//! From a failure to its exit code, hint and JSON fields: the first typed error in the cause
//! chain decides. Every typed error of every layer is registered here, at the top, so that
//! `error` stays a leaf that any layer may use.

use crate::error::{Classify, CliError, ErrorKind};

/// Declares every typed error of the lower layers once. The generated [`Typed`] has one variant
/// per type, and its `kind`, `hint` and `json_fields` are exhaustive matches the compiler checks
/// (each type must implement [`Classify`]), so a registered error can never fall through to
/// exit code 1. A test fails when a `thiserror` type under `src/` is missing from this list.
macro_rules! typed_errors {
    ($($variant:ident => $ty:ty),* $(,)?) => {
        /// A typed error found in a cause chain.
        #[derive(Debug, Clone, Copy)]
        pub enum Typed<'a> {
            $(
                #[allow(missing_docs)]
                $variant(&'a $ty),
            )*
        }

        impl<'a> Typed<'a> {
            /// The names of the registered types, as written above.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($ty)),*];

            /// `cause` as a registered typed error, if it is one.
            pub fn of(cause: &'a (dyn std::error::Error + 'static)) -> Option<Self> {
                $(
                    if let Some(e) = cause.downcast_ref::<$ty>() {
                        return Some(Self::$variant(e));
                    }
                )*
                None
            }

            /// What kind of failure it is.
            pub fn kind(self) -> ErrorKind {
                match self {
                    $(Self::$variant(e) => Classify::kind(e),)*
                }
            }

            /// How to fix it.
            pub fn hint(self) -> Option<String> {
                match self {
                    $(Self::$variant(e) => Classify::hint(e),)*
                }
            }

            /// Extra fields of its JSON error object.
            pub fn json_fields(self) -> Option<serde_json::Map<String, serde_json::Value>> {
                match self {
                    $(Self::$variant(e) => Classify::json_fields(e),)*
                }
            }
        }
    };
}

typed_errors! {
    Cli => CliError,
    Config => crate::config::ConfigError,
    Domain => crate::domain::DomainError,
    Cron => crate::domain::cron::CronError,
    Store => crate::store::StoreError,
    Sync => crate::sync::SyncError,
    Registry => crate::beat::heartbeat::RegistryError,
    Leader => crate::beat::leader::LeaderError,
    Document => crate::domain::apply::DocumentError,
    Broker => crate::beat::broker::BrokerError,
    Amqp => crate::beat::broker::AmqpError,
}

/// The first typed error in the cause chain of `err`, if any.
pub fn typed(err: &anyhow::Error) -> Option<Typed<'_>> {
    err.chain().find_map(Typed::of)
}

/// The kind and hint of an error: the first typed error in its cause chain decides; an error
/// with none is internal (a bug, or a failure nobody could have prevented).
pub fn classify(err: &anyhow::Error) -> (ErrorKind, Option<String>) {
    match typed(err) {
        Some(t) => (t.kind(), t.hint()),
        None => (ErrorKind::Internal, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Backend, Redacted};
    use crate::error::exit;
    use crate::store::StoreError;
    use anyhow::Context;

    fn code(err: impl std::error::Error + Send + Sync + 'static) -> u8 {
        let wrapped = Err::<(), _>(err)
            .context("while doing something")
            .unwrap_err();
        classify(&wrapped).0.code()
    }

    /// Every `thiserror` type under src/ is registered in `typed_errors!`, so none falls through
    /// to exit code 1.
    #[test]
    fn every_typed_error_is_registered() {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let mut lines = text.lines();
                    while let Some(line) = lines.next() {
                        if line.trim_start().starts_with("#[derive(")
                            && line.contains("thiserror::Error")
                        {
                            let decl = lines
                                .by_ref()
                                .find(|l| l.contains("pub enum ") || l.contains("pub struct "))
                                .unwrap();
                            let name = decl
                                .split_whitespace()
                                .skip_while(|w| *w != "enum" && *w != "struct")
                                .nth(1)
                                .unwrap()
                                .trim_end_matches(['{', '<'])
                                .to_string();
                            out.push(name);
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(found.len() >= 8, "{found:?}");
        let registered: Vec<&str> = Typed::NAMES
            .iter()
            .map(|n| n.rsplit("::").next().unwrap().trim())
            .collect();
        for name in &found {
            assert!(
                registered.contains(&name.as_str()),
                "{name} derives thiserror::Error but is not in typed_errors! (src/cli/classify.rs): \
                 its failures would exit 1"
            );
        }
    }

    #[test]
    fn transparent_wrappers_classify_as_what_they_wrap() {
        let url = Redacted::new("redis://127.0.0.1:1");
        let sync = crate::sync::SyncError::Timeout {
            url,
            timeout: std::time::Duration::from_secs(1),
        };
        let wrapped = crate::beat::heartbeat::RegistryError::Redis(sync);
        assert_eq!(code(wrapped), exit::UNAVAILABLE);
    }

    #[test]
    fn typed_errors_decide_the_exit_code_through_context() {
        let id = uuid::Uuid::nil();
        assert_eq!(
            code(StoreError::Conflict {
                id,
                name: "n".into()
            }),
            exit::CONFLICT
        );
        assert_eq!(
            code(StoreError::NotFound {
                reference: "x".into()
            }),
            exit::NOT_FOUND
        );
        assert_eq!(
            code(StoreError::Ambiguous {
                reference: "x".into(),
                candidates: vec![]
            }),
            exit::NOT_FOUND
        );
        let url = Redacted::new("postgres://u:pw@h/db");
        assert_eq!(
            code(StoreError::NotMigrated {
                url: url.clone(),
                pending: vec![]
            }),
            exit::UNAVAILABLE
        );
        assert_eq!(
            code(StoreError::TooNew {
                url: url.clone(),
                found: 2,
                known: 1
            }),
            exit::UNAVAILABLE
        );
        let unreachable = StoreError::Unreachable {
            backend: Backend::Postgres,
            url,
            source: sqlx::Error::PoolTimedOut,
        };
        assert!(
            unreachable.to_string().contains("u:***@h") && !unreachable.to_string().contains("pw")
        );
        assert_eq!(code(unreachable), exit::UNAVAILABLE);
        assert_eq!(
            code(StoreError::Database(sqlx::Error::RowNotFound)),
            exit::INTERNAL
        );
        assert_eq!(
            code(StoreError::NoDatabase {
                path: "typo.db".into()
            }),
            exit::UNAVAILABLE
        );
        assert_eq!(
            code(StoreError::ReadOnly {
                what: "write".into(),
                source: None
            }),
            exit::UNAVAILABLE
        );
        assert_eq!(
            code(crate::domain::DomainError::new("m", "h")),
            exit::INVALID_INPUT
        );
        assert_eq!(code(CliError::usage("m", "h")), exit::USAGE);
        assert_eq!(code(std::io::Error::other("plain")), exit::INTERNAL);
    }
}
