//! The append-only audit trail (`auth_events`).
//!
//! The accounts service writes one event per security-relevant outcome, for
//! every transport alike. Writing an event never fails the request that caused
//! it: a failed insert is logged and the request goes on. Events older than
//! the retention period (`LATCHKEY_AUDIT_RETENTION`) are purged by the
//! maintenance task.
//!
//! A failed sign-in stores the name that was typed only as a keyed hash
//! (the throttle's account key, [`crate::names`]): people type passwords
//! into the username field, and the audit trail must not become a list of
//! them. The account's owner still sees them: [`of_account`] finds them by
//! the hash of the account's own name.

mod blocked;
mod history;
mod kinds;
mod write;

pub use blocked::{record_blocked, LockedBy};
pub use history::{of_account, Cursor, StoredEvent};
pub use kinds::{Cause, Channel, Event, EventKind};
pub use write::{purge, record};
