//! The scheduler (`stockura run-beat`): the plan of due schedules, Celery message building and
//! dispatch, change feeds, and the loop.

pub mod backfill;
pub mod broker;
pub mod clock;
pub mod daemon;
pub mod dispatch;
pub mod feed;
pub mod heartbeat;
pub mod leader;
pub mod message;
pub mod observe;
pub mod plan;
pub mod policy;
pub mod runner;
