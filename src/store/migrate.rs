//! Schema migrations: numbered SQL files per backend, embedded in the binary, recorded in
//! `stockura_migrations`. The same number means the same change on both backends.

use crate::config::{Backend, Redacted};

use super::StoreError;

/// One embedded migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Its number; applied in increasing order.
    pub version: i64,
    /// What it does.
    pub description: &'static str,
    /// The SQL, run in one transaction.
    pub sql: &'static str,
}

impl Migration {
    /// `0001 celery_beat_schedules`.
    pub fn label(&self) -> String {
        format!("{:04} {}", self.version, self.description)
    }
}

/// Postgres migrations.
pub const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        description: "celery_beat_schedules",
        sql: include_str!("../../migrations/postgres/0001_celery_beat_schedules.sql"),
    },
    Migration {
        version: 2,
        description: "task_definitions",
        sql: include_str!("../../migrations/postgres/0002_task_definitions.sql"),
    },
    Migration {
        version: 3,
        description: "schedule_version",
        sql: include_str!("../../migrations/postgres/0003_schedule_version.sql"),
    },
    Migration {
        version: 4,
        description: "schedule_runs",
        sql: include_str!("../../migrations/postgres/0004_schedule_runs.sql"),
    },
    Migration {
        version: 5,
        description: "dry_runs_claim_nothing",
        sql: include_str!("../../migrations/postgres/0005_dry_runs_claim_nothing.sql"),
    },
    Migration {
        version: 6,
        description: "beat_instances",
        sql: include_str!("../../migrations/postgres/0006_beat_instances.sql"),
    },
    Migration {
        version: 7,
        description: "runs_without_foreign_key",
        sql: include_str!("../../migrations/postgres/0007_runs_without_foreign_key.sql"),
    },
    Migration {
        version: 8,
        description: "changed_ids_in_notify",
        sql: include_str!("../../migrations/postgres/0008_changed_ids_in_notify.sql"),
    },
    Migration {
        version: 9,
        description: "schedule_change_log",
        sql: include_str!("../../migrations/postgres/0009_schedule_change_log.sql"),
    },
    Migration {
        version: 10,
        description: "claim_index_serves_lookups",
        sql: include_str!("../../migrations/postgres/0010_claim_index_serves_lookups.sql"),
    },
    Migration {
        version: 11,
        description: "deleted_schedule_ids",
        sql: include_str!("../../migrations/postgres/0011_deleted_schedule_ids.sql"),
    },
    Migration {
        version: 12,
        description: "owed_runs",
        sql: include_str!("../../migrations/postgres/0012_owed_runs.sql"),
    },
    Migration {
        version: 13,
        description: "push_markers",
        sql: include_str!("../../migrations/postgres/0013_push_markers.sql"),
    },
    Migration {
        version: 14,
        description: "pause",
        sql: include_str!("../../migrations/postgres/0014_pause.sql"),
    },
    Migration {
        version: 15,
        description: "backfill_runs",
        sql: include_str!("../../migrations/postgres/0015_backfill_runs.sql"),
    },
    Migration {
        version: 16,
        description: "schedule_jitter",
        sql: include_str!("../../migrations/postgres/0016_schedule_jitter.sql"),
    },
];

/// SQLite migrations.
pub const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        description: "celery_beat_schedules",
        sql: include_str!("../../migrations/sqlite/0001_celery_beat_schedules.sql"),
    },
    Migration {
        version: 2,
        description: "task_definitions",
        sql: include_str!("../../migrations/sqlite/0002_task_definitions.sql"),
    },
    Migration {
        version: 3,
        description: "schedule_version",
        sql: include_str!("../../migrations/sqlite/0003_schedule_version.sql"),
    },
    Migration {
        version: 4,
        description: "schedule_runs",
        sql: include_str!("../../migrations/sqlite/0004_schedule_runs.sql"),
    },
    Migration {
        version: 5,
        description: "dry_runs_claim_nothing",
        sql: include_str!("../../migrations/sqlite/0005_dry_runs_claim_nothing.sql"),
    },
    Migration {
        version: 6,
        description: "beat_instances",
        sql: include_str!("../../migrations/sqlite/0006_beat_instances.sql"),
    },
    Migration {
        version: 7,
        description: "runs_without_foreign_key",
        sql: include_str!("../../migrations/sqlite/0007_runs_without_foreign_key.sql"),
    },
    Migration {
        version: 8,
        description: "changed_ids_in_notify",
        sql: include_str!("../../migrations/sqlite/0008_changed_ids_in_notify.sql"),
    },
    Migration {
        version: 9,
        description: "schedule_change_log",
        sql: include_str!("../../migrations/sqlite/0009_schedule_change_log.sql"),
    },
    Migration {
        version: 10,
        description: "claim_index_serves_lookups",
        sql: include_str!("../../migrations/sqlite/0010_claim_index_serves_lookups.sql"),
    },
    Migration {
        version: 11,
        description: "deleted_schedule_ids",
        sql: include_str!("../../migrations/sqlite/0011_deleted_schedule_ids.sql"),
    },
    Migration {
        version: 12,
        description: "owed_runs",
        sql: include_str!("../../migrations/sqlite/0012_owed_runs.sql"),
    },
    Migration {
        version: 13,
        description: "push_markers",
        sql: include_str!("../../migrations/sqlite/0013_push_markers.sql"),
    },
    Migration {
        version: 14,
        description: "pause",
        sql: include_str!("../../migrations/sqlite/0014_pause.sql"),
    },
    Migration {
        version: 15,
        description: "backfill_runs",
        sql: include_str!("../../migrations/sqlite/0015_backfill_runs.sql"),
    },
    Migration {
        version: 16,
        description: "schedule_jitter",
        sql: include_str!("../../migrations/sqlite/0016_schedule_jitter.sql"),
    },
];

/// What `stockura migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// The engine.
    pub backend: Backend,
    /// Labels of the migrations applied now, in order (empty: already current).
    pub applied: Vec<String>,
    /// The schema version afterwards.
    pub version: i64,
    /// When an existing `celery_beat_schedules` table was adopted: how many rows it kept.
    pub adopted_rows: Option<i64>,
}

impl MigrationReport {
    /// An empty report.
    pub fn new(backend: Backend) -> Self {
        Self {
            backend,
            applied: Vec::new(),
            version: 0,
            adopted_rows: None,
        }
    }
}

/// The newest version in a list.
pub fn latest(migrations: &[Migration]) -> i64 {
    migrations.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The migrations not yet applied, in order.
pub fn pending<'a>(
    migrations: &'a [Migration],
    applied: &[i64],
) -> impl Iterator<Item = &'a Migration> {
    migrations
        .iter()
        .filter(move |m| !applied.contains(&m.version))
}

/// Fails when the database has a version this binary does not know.
pub fn check_not_newer(
    url: &Redacted,
    migrations: &[Migration],
    applied: &[i64],
) -> Result<(), StoreError> {
    let known = latest(migrations);
    match applied.iter().copied().max() {
        Some(found) if found > known => Err(StoreError::TooNew {
            url: url.clone(),
            found,
            known,
        }),
        _ => Ok(()),
    }
}

/// Fails unless every known migration is applied (and none unknown).
pub fn check(url: &Redacted, migrations: &[Migration], applied: &[i64]) -> Result<(), StoreError> {
    check_not_newer(url, migrations, applied)?;
    let pending: Vec<String> = pending(migrations, applied).map(Migration::label).collect();
    if pending.is_empty() {
        Ok(())
    } else {
        Err(StoreError::NotMigrated {
            url: url.clone(),
            pending,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_numbers() {
        let numbers = |ms: &[Migration]| {
            ms.iter()
                .map(|m| (m.version, m.description))
                .collect::<Vec<_>>()
        };
        assert_eq!(numbers(POSTGRES), numbers(SQLITE));
        assert!(POSTGRES.windows(2).all(|w| w[0].version < w[1].version));
    }

    #[test]
    fn pending_and_too_new() {
        let url = Redacted::new("postgres://u:pw@h/db");
        let err = check(&url, POSTGRES, &[]).unwrap_err();
        assert!(
            err.to_string().contains(&format!(
                "{} migration(s) pending (0001 celery_beat_schedules, 0002 task_definitions, 0003 schedule_version, 0004",
                POSTGRES.len()
            )),
            "{err}"
        );
        assert!(!err.to_string().contains("pw"));
        let all: Vec<i64> = POSTGRES.iter().map(|m| m.version).collect();
        assert!(check(&url, POSTGRES, &all).is_ok());
        assert!(matches!(
            check(&url, POSTGRES, &[1]),
            Err(StoreError::NotMigrated { .. })
        ));
        assert!(matches!(
            check(&url, POSTGRES, &[1, 99]),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }
}
