-- Mail that carried a secret link (the reporter's case link in a status email, the regulator's
-- signed links in a handoff email) is now blanked once sent, like the confirmation email always
-- was. Mark what was queued before this release the same way, and blank what already went.
UPDATE outbox SET scrub_after_send = TRUE
    WHERE kind IN ('confirm', 'status', 'handoff', 'handoff_reminder');
UPDATE outbox
    SET body_text = '[removed after sending: it held a secret]',
        body_html = '[removed after sending: it held a secret]'
    WHERE scrub_after_send = TRUE AND sent_at IS NOT NULL;
