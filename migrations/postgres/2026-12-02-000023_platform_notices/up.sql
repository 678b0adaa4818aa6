-- Platform notices (postgres, issue 13): a handed-off case told to the platform's governance desk,
-- one per case, timed so no merchant under investigation is tipped off. Its sending state is
-- kept apart from the case's status:
--   not_before   the earliest it may go: 5 working days after the handoff, or the moment the
--                regulator acknowledged;
--   held_at      the regulator held it ("hold the platform notice"), until released_at (the
--                regulator released it, or recorded the outcome);
--   desk_id      NULL while no desk covers the platform (listed for supervisors; never blocks);
--   sent_at      queued to the desk (outbox_id: its latest email); answer_due_on the deadline;
--   withdrawn_at the portal took the notice back: its link shows "withdrawn", takes no answer;
--   response …   the desk's one answer through its signed link.
CREATE TABLE platform_notices (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL UNIQUE REFERENCES cases (id),
    handoff_id BIGINT NOT NULL REFERENCES handoffs (id),
    desk_id BIGINT REFERENCES platform_desks (id),
    created_at TIMESTAMP NOT NULL,
    not_before TIMESTAMP NOT NULL,
    held_at TIMESTAMP,
    released_at TIMESTAMP,
    sent_at TIMESTAMP,
    outbox_id BIGINT,
    answer_due_on DATE,
    reminder_sent_at TIMESTAMP,
    withdrawn_at TIMESTAMP,
    withdrawn_reason TEXT,
    response TEXT CHECK (response IN ('reviews_removed', 'shop_penalised', 'no_violation', 'disputed')),
    reviews_removed_count INTEGER,
    response_details TEXT,
    responded_at TIMESTAMP
);
CREATE INDEX platform_notices_unsent ON platform_notices (sent_at, not_before);
CREATE INDEX platform_notices_awaiting ON platform_notices (responded_at, answer_due_on);
