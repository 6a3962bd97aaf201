//! Where reading each IMAP mailbox stands (migration 0007), written once for both
//! backends over the portable [`Db`](crate::sql::Db) layer.

use chrono::{DateTime, Utc};

use crate::Result;
use crate::codec::now;
use crate::sql::{Db, Param};

/// A mailbox's UIDVALIDITY and the highest UID whose message was ingested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxCursorRow {
    /// `imap://user@host:port/MAILBOX`.
    pub mailbox: String,
    pub uid_validity: i64,
    pub last_uid: i64,
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn get_mailbox_cursor(
    db: &mut dyn Db,
    mailbox: &str,
) -> Result<Option<MailboxCursorRow>> {
    let row = db.query_opt(
        "SELECT mailbox, uid_validity, last_uid, updated_at FROM mailbox_cursors WHERE mailbox = ?1",
        &[Param::Text(mailbox)],
    )?;
    row.map(|row| {
        Ok(MailboxCursorRow {
            mailbox: row.text(0)?,
            uid_validity: row.int(1)?,
            last_uid: row.int(2)?,
            updated_at: row.time(3)?,
        })
    })
    .transpose()
}

/// Within one UIDVALIDITY the cursor never moves back; a new UIDVALIDITY replaces it.
pub(crate) fn save_mailbox_cursor(
    db: &mut dyn Db,
    mailbox: &str,
    uid_validity: i64,
    last_uid: i64,
) -> Result<MailboxCursorRow> {
    db.execute(
        "INSERT INTO mailbox_cursors (mailbox, uid_validity, last_uid, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (mailbox) DO UPDATE SET \
           last_uid = CASE WHEN mailbox_cursors.uid_validity = excluded.uid_validity \
                            AND mailbox_cursors.last_uid > excluded.last_uid \
                      THEN mailbox_cursors.last_uid ELSE excluded.last_uid END, \
           uid_validity = excluded.uid_validity, updated_at = excluded.updated_at",
        &[Param::Text(mailbox), Param::Int(uid_validity), Param::Int(last_uid), Param::Time(now())],
    )?;
    get_mailbox_cursor(db, mailbox)?
        .ok_or_else(|| crate::StoreError::Corrupt("the saved mailbox cursor is gone".into()))
}
