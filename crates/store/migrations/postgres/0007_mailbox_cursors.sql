-- Issue #4 §7: where reading each IMAP mailbox stands. `mailbox` names it
-- (imap://user@host:port/MAILBOX); UIDs only mean something within one UIDVALIDITY, so
-- both are kept together and a restart neither loses nor re-reads a message.

CREATE TABLE mailbox_cursors (
    mailbox      TEXT   PRIMARY KEY,
    uid_validity BIGINT NOT NULL,
    last_uid     BIGINT NOT NULL,
    updated_at   TIMESTAMPTZ   NOT NULL
);
