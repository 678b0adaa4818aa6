//! The tables, as diesel sees them. Written by hand to match both migration folders.

diesel::table! {
    instance_secrets (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    case_number_counters (year) {
        year -> Integer,
        last_value -> BigInt,
    }
}

diesel::table! {
    cases (id) {
        id -> BigInt,
        case_number -> Text,
        status -> Text,
        platform -> Text,
        platform_other -> Nullable<Text>,
        shop_name -> Text,
        shop_ref -> Text,
        shop_key -> Text,
        region_code -> Text,
        province_code -> Text,
        city_code -> Nullable<Text>,
        product_url -> Nullable<Text>,
        order_number -> Nullable<Text>,
        category -> Text,
        seen_on -> Date,
        description -> Text,
        reporter_email -> Nullable<Text>,
        language -> Text,
        consent_share_contact -> Bool,
        is_complaint -> Bool,
        receipt_hash -> Text,
        reporter_ip -> Nullable<Text>,
        created_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        last_activity_at -> Timestamp,
        closed_reason -> Nullable<Text>,
        version -> Integer,
        assigned_officer_id -> Nullable<BigInt>,
        merchant_key -> Nullable<Text>,
        campaign_id -> Nullable<BigInt>,
        consent_share_platform -> Bool,
    }
}

diesel::table! {
    evidence (id) {
        id -> BigInt,
        case_id -> BigInt,
        position -> Integer,
        source -> Text,
        original_name -> Text,
        kind -> Text,
        sha256 -> Text,
        byte_size -> BigInt,
        width -> Integer,
        height -> Integer,
        display_sha256 -> Nullable<Text>,
        display_kind -> Nullable<Text>,
        thumb_sha256 -> Nullable<Text>,
        thumb_width -> Nullable<Integer>,
        thumb_height -> Nullable<Integer>,
        perceptual_hash -> Nullable<Text>,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        case_id -> BigInt,
        seq -> Integer,
        at -> Timestamp,
        actor_kind -> Text,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        detail -> Text,
        visible_to_reporter -> Bool,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        case_id -> BigInt,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        case_id -> Nullable<BigInt>,
        kind -> Text,
        to_address -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        scrub_after_send -> Bool,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        attachment_sha256 -> Nullable<Text>,
        attachment_name -> Nullable<Text>,
    }
}

diesel::table! {
    regulators (id) {
        id -> BigInt,
        name -> Text,
        kind -> Text,
        region_code -> Nullable<Text>,
        email -> Text,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    platform_domiciles (platform) {
        platform -> Text,
        operator_name -> Text,
        region_code -> Text,
    }
}

diesel::table! {
    handoffs (id) {
        id -> BigInt,
        case_id -> BigInt,
        regulator_id -> BigInt,
        seq -> Integer,
        folder -> Text,
        package_sha256 -> Text,
        package_size -> BigInt,
        created_by -> BigInt,
        created_at -> Timestamp,
        outbox_id -> Nullable<BigInt>,
        acknowledged_at -> Nullable<Timestamp>,
        outcome -> Nullable<Text>,
        outcome_details -> Nullable<Text>,
        outcome_at -> Nullable<Timestamp>,
        reminder_sent_at -> Nullable<Timestamp>,
        campaign_handoff_id -> Nullable<BigInt>,
        outcome_document_number -> Nullable<Text>,
        outcome_published -> Bool,
    }
}

diesel::table! {
    officers (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamp,
        password_changed_at -> Timestamp,
        last_sign_in_at -> Nullable<Timestamp>,
        activated_at -> Nullable<Timestamp>,
        shortcuts_on -> Bool,
        desk_seen_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    saved_filters (id) {
        id -> BigInt,
        officer_id -> BigInt,
        name -> Text,
        query -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    officer_sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        officer_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    case_notes (id) {
        id -> BigInt,
        case_id -> BigInt,
        officer_id -> BigInt,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_messages (id) {
        id -> BigInt,
        case_id -> BigInt,
        from_reporter -> Bool,
        officer_id -> Nullable<BigInt>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_deadlines (case_id) {
        case_id -> BigInt,
        accept_by -> Nullable<Date>,
        decide_by -> Date,
        extended_reason -> Nullable<Text>,
        paused_since -> Nullable<Timestamp>,
        due_on -> Nullable<Date>,
    }
}

diesel::table! {
    /// SQLite: an FTS5 table with the trigram tokenizer; PostgreSQL: a table with a pg_trgm index.
    case_search (case_id) {
        case_id -> BigInt,
        body -> Text,
    }
}

diesel::table! {
    evidence_redactions (id) {
        id -> BigInt,
        evidence_id -> BigInt,
        officer_id -> BigInt,
        rects -> Text,
        display_sha256 -> Text,
        thumb_sha256 -> Text,
        thumb_width -> Integer,
        thumb_height -> Integer,
        created_at -> Timestamp,
    }
}

diesel::joinable!(handoffs -> cases (case_id));
diesel::joinable!(handoffs -> regulators (regulator_id));
diesel::joinable!(evidence -> cases (case_id));
diesel::joinable!(evidence_redactions -> evidence (evidence_id));
diesel::joinable!(evidence_redactions -> officers (officer_id));
diesel::joinable!(officer_sessions -> officers (officer_id));
diesel::joinable!(case_notes -> cases (case_id));
diesel::joinable!(case_messages -> cases (case_id));
diesel::table! {
    /// Every official year file loaded, append-only; the latest row of a year is in force.
    calendar_years (id) {
        id -> BigInt,
        year -> Integer,
        body -> Text,
        sha256 -> Text,
        source -> Text,
        origin -> Text,
        imported_at -> Timestamp,
        imported_by -> Nullable<BigInt>,
        deadlines_moved -> Integer,
    }
}

diesel::table! {
    /// The officer's finding on a substantiated case: reasons shown to the regulator.
    case_findings (case_id) {
        case_id -> BigInt,
        finding -> Text,
        officer_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A regulator's request for the original of one evidence file, and its single-use link.
    original_requests (id) {
        id -> BigInt,
        handoff_id -> BigInt,
        evidence_id -> BigInt,
        reason -> Text,
        requested_at -> Timestamp,
        status -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        token_hash -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(case_findings -> cases (case_id));
diesel::joinable!(case_findings -> officers (officer_id));
diesel::joinable!(original_requests -> handoffs (handoff_id));
diesel::joinable!(original_requests -> evidence (evidence_id));

diesel::table! {
    officer_devices (id) {
        id -> BigInt,
        officer_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        revoked -> Bool,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> BigInt,
        address -> Text,
        email -> Text,
        device_id -> Nullable<BigInt>,
        attempted_at -> Timestamp,
        outcome -> Text,
        cleared -> Bool,
    }
}

diesel::table! {
    login_throttle_keys (throttle_key) {
        throttle_key -> Text,
        touched_at -> Timestamp,
    }
}

diesel::table! {
    /// A reporter's session: the cookie holds the token, this row its hash and its life.
    reporter_sessions (id) {
        id -> BigInt,
        case_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// The report form tokens that filed a report (hashed), one case each.
    report_form_tokens (token_hash) {
        token_hash -> Text,
        case_id -> BigInt,
        used_at -> Timestamp,
    }
}

diesel::table! {
    /// Background jobs: claimed under a lease, retried with backoff (`db::jobs`, `jobs/`).
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        payload -> Text,
        singleton_key -> Nullable<Text>,
        state -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(reporter_sessions -> cases (case_id));
diesel::joinable!(report_form_tokens -> cases (case_id));
diesel::joinable!(case_deadlines -> cases (case_id));
diesel::joinable!(calendar_years -> officers (imported_by));
diesel::joinable!(case_search -> cases (case_id));
diesel::joinable!(cases -> officers (assigned_officer_id));
diesel::joinable!(case_notes -> officers (officer_id));
diesel::joinable!(case_messages -> officers (officer_id));
diesel::joinable!(audit_events -> cases (case_id));
diesel::joinable!(email_tokens -> cases (case_id));
diesel::joinable!(outbox -> cases (case_id));
diesel::joinable!(officer_devices -> officers (officer_id));
diesel::joinable!(login_attempts -> officer_devices (device_id));

diesel::table! {
    officer_second_factors (officer_id) {
        officer_id -> BigInt,
        secret -> Text,
        created_at -> Timestamp,
        enabled_at -> Nullable<Timestamp>,
        last_used_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    officer_recovery_codes (id) {
        id -> BigInt,
        officer_id -> BigInt,
        code_hash -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sign_in_challenges (id) {
        id -> BigInt,
        token_hash -> Text,
        officer_id -> BigInt,
        device_id -> Nullable<BigInt>,
        csrf_token -> Text,
        next_path -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    security_settings (id) {
        id -> Integer,
        second_factor_required -> Bool,
        changed_at -> Nullable<Timestamp>,
        changed_by -> Nullable<BigInt>,
    }
}

diesel::joinable!(officer_second_factors -> officers (officer_id));
diesel::joinable!(officer_recovery_codes -> officers (officer_id));
diesel::joinable!(sign_in_challenges -> officers (officer_id));

diesel::table! {
    /// One-time links that let an officer set a password (invitation, reset), kept hashed.
    officer_links (id) {
        id -> BigInt,
        officer_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// The account audit trail: who changed which officer's account, how, when.
    account_events (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        subject_id -> BigInt,
        action -> Text,
        detail -> Text,
    }
}

diesel::joinable!(officer_links -> officers (officer_id));

diesel::table! {
    /// An officer's verdict on a suggested link between two cases (lower id first).
    case_links (id) {
        id -> BigInt,
        case_id -> BigInt,
        other_case_id -> BigInt,
        verdict -> Text,
        reasons -> Text,
        officer_id -> BigInt,
        decided_at -> Timestamp,
    }
}

diesel::joinable!(case_links -> officers (officer_id));

diesel::table! {
    /// Each evidence image's fingerprint for near-identical search (`db::image_index`).
    image_hashes (evidence_id) {
        evidence_id -> BigInt,
        case_id -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    /// The fingerprints cut into chunks, one indexed row per chunk (multi-index hashing).
    image_hash_chunks (chunk_no, chunk_value, evidence_id) {
        chunk_no -> Integer,
        chunk_value -> BigInt,
        evidence_id -> BigInt,
    }
}

diesel::joinable!(image_hashes -> evidence (evidence_id));
diesel::joinable!(image_hashes -> cases (case_id));
diesel::joinable!(image_hash_chunks -> image_hashes (evidence_id));

diesel::allow_tables_to_appear_in_same_query!(
    case_links,
    officer_links,
    account_events,
    instance_secrets,
    case_number_counters,
    cases,
    evidence,
    audit_events,
    email_tokens,
    outbox,
    officers,
    officer_sessions,
    case_notes,
    case_messages,
    case_deadlines,
    case_search,
    evidence_redactions,
    regulators,
    platform_domiciles,
    handoffs,
    calendar_years,
    case_findings,
    original_requests,
    officer_devices,
    login_attempts,
    login_throttle_keys,
    reporter_sessions,
    report_form_tokens,
    officer_second_factors,
    officer_recovery_codes,
    sign_in_challenges,
    security_settings,
    image_hashes,
    image_hash_chunks,
);

diesel::table! {
    /// Contacts found in a case's texts (`domain::contact`): `contact_key` normalised, or the
    /// keyed hash of a payment account; `evidence_id` NULL for the description.
    case_contacts (id) {
        id -> BigInt,
        case_id -> BigInt,
        kind -> Text,
        contact_key -> Text,
        shown -> Text,
        evidence_id -> Nullable<BigInt>,
        found_at -> Timestamp,
    }
}

diesel::joinable!(case_contacts -> cases (case_id));
diesel::joinable!(case_contacts -> evidence (evidence_id));
diesel::allow_tables_to_appear_in_same_query!(case_contacts, cases);
diesel::allow_tables_to_appear_in_same_query!(case_contacts, evidence);

// Near-identical texts and OCR (issue 11): kept apart so that the list above stays as it was.
diesel::table! {
    case_texts (id) {
        id -> BigInt,
        case_id -> BigInt,
        evidence_id -> Nullable<BigInt>,
        body -> Text,
        signature -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    text_bands (band_value, text_id) {
        band_value -> BigInt,
        text_id -> BigInt,
    }
}

diesel::table! {
    evidence_texts (evidence_id) {
        evidence_id -> BigInt,
        state -> Text,
        body -> Text,
        reason -> Nullable<Text>,
        seconds -> Double,
        engine -> Nullable<Text>,
        read_at -> Timestamp,
    }
}

diesel::joinable!(case_texts -> cases (case_id));
diesel::joinable!(text_bands -> case_texts (text_id));
diesel::joinable!(evidence_texts -> evidence (evidence_id));
diesel::allow_tables_to_appear_in_same_query!(case_texts, text_bands, evidence_texts);
diesel::allow_tables_to_appear_in_same_query!(case_texts, cases);
diesel::allow_tables_to_appear_in_same_query!(case_texts, evidence);
diesel::allow_tables_to_appear_in_same_query!(evidence_texts, evidence);
diesel::allow_tables_to_appear_in_same_query!(evidence_texts, cases);

diesel::table! {
    campaigns (id) {
        id -> BigInt,
        name -> Text,
        finding -> Nullable<Text>,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    campaign_events (id) {
        id -> BigInt,
        campaign_id -> BigInt,
        case_id -> Nullable<BigInt>,
        officer_id -> Nullable<BigInt>,
        action -> Text,
        detail -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    campaign_handoffs (id) {
        id -> BigInt,
        campaign_id -> BigInt,
        regulator_id -> BigInt,
        seq -> Integer,
        folder -> Text,
        package_sha256 -> Text,
        package_size -> BigInt,
        case_count -> Integer,
        created_by -> BigInt,
        created_at -> Timestamp,
        outbox_id -> Nullable<BigInt>,
        acknowledged_at -> Nullable<Timestamp>,
        reminder_sent_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(cases -> campaigns (campaign_id));
diesel::joinable!(campaigns -> officers (created_by));
diesel::joinable!(campaign_events -> campaigns (campaign_id));
diesel::joinable!(campaign_handoffs -> campaigns (campaign_id));
diesel::joinable!(campaign_handoffs -> regulators (regulator_id));
diesel::joinable!(handoffs -> campaign_handoffs (campaign_handoff_id));
diesel::allow_tables_to_appear_in_same_query!(campaigns, campaign_events, campaign_handoffs);
diesel::allow_tables_to_appear_in_same_query!(campaigns, cases);
diesel::allow_tables_to_appear_in_same_query!(campaigns, officers);
diesel::allow_tables_to_appear_in_same_query!(campaigns, regulators);
diesel::allow_tables_to_appear_in_same_query!(campaigns, handoffs);
diesel::allow_tables_to_appear_in_same_query!(campaigns, case_contacts);
diesel::allow_tables_to_appear_in_same_query!(campaign_events, cases);
diesel::allow_tables_to_appear_in_same_query!(campaign_events, officers);
diesel::allow_tables_to_appear_in_same_query!(campaign_events, regulators);
diesel::allow_tables_to_appear_in_same_query!(campaign_events, handoffs);
diesel::allow_tables_to_appear_in_same_query!(campaign_events, case_contacts);
diesel::allow_tables_to_appear_in_same_query!(campaign_handoffs, cases);
diesel::allow_tables_to_appear_in_same_query!(campaign_handoffs, officers);
diesel::allow_tables_to_appear_in_same_query!(campaign_handoffs, regulators);
diesel::allow_tables_to_appear_in_same_query!(campaign_handoffs, handoffs);
diesel::allow_tables_to_appear_in_same_query!(campaign_handoffs, case_contacts);

diesel::table! {
    platform_desks (id) {
        id -> BigInt,
        kind -> Text,
        platform -> Nullable<Text>,
        domain -> Nullable<Text>,
        name -> Text,
        email -> Text,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    record_entries (id) {
        id -> BigInt,
        handoff_id -> BigInt,
        case_id -> BigInt,
        platform -> Text,
        platform_other -> Nullable<Text>,
        shop_name -> Text,
        merchant_key -> Nullable<Text>,
        category -> Text,
        regulator_name -> Text,
        decision_kind -> Text,
        decision_text -> Text,
        decision_date -> Date,
        document_number -> Text,
        status -> Text,
        created_at -> Timestamp,
        approved_by -> Nullable<BigInt>,
        approved_at -> Nullable<Timestamp>,
        withdrawn_reason -> Nullable<Text>,
        withdrawn_document -> Nullable<Text>,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    record_corrections (id) {
        id -> BigInt,
        entry_id -> BigInt,
        enterprise_name -> Text,
        contact_email -> Text,
        what_is_wrong -> Text,
        document_number -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(record_corrections -> record_entries (entry_id));
diesel::allow_tables_to_appear_in_same_query!(record_entries, record_corrections);

diesel::table! {
    /// The public statistics' latest snapshot (`domain::public_stats::Snapshot` as JSON).
    public_stats (id) {
        id -> BigInt,
        computed_at -> Timestamp,
        body -> Text,
    }
}

diesel::table! {
    /// A handed-off case told to the platform's desk (one per case), with its sending state and
    /// the desk's one answer.
    platform_notices (id) {
        id -> BigInt,
        case_id -> BigInt,
        handoff_id -> BigInt,
        desk_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        not_before -> Timestamp,
        held_at -> Nullable<Timestamp>,
        released_at -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        outbox_id -> Nullable<BigInt>,
        answer_due_on -> Nullable<Date>,
        reminder_sent_at -> Nullable<Timestamp>,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_reason -> Nullable<Text>,
        response -> Nullable<Text>,
        reviews_removed_count -> Nullable<Integer>,
        response_details -> Nullable<Text>,
        responded_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(platform_notices -> cases (case_id));
diesel::joinable!(platform_notices -> platform_desks (desk_id));
diesel::allow_tables_to_appear_in_same_query!(platform_notices, cases);
diesel::allow_tables_to_appear_in_same_query!(platform_notices, case_deadlines);
diesel::allow_tables_to_appear_in_same_query!(platform_notices, reporter_sessions);
diesel::allow_tables_to_appear_in_same_query!(platform_notices, platform_desks);
diesel::allow_tables_to_appear_in_same_query!(platform_notices, handoffs);

// The queue at a million cases (issue 14).
diesel::table! {
    /// How many cases are in each status, kept by triggers on `cases`.
    case_status_counts (status) {
        status -> Text,
        cases -> BigInt,
    }
}

diesel::table! {
    /// SQLite only (an FTS5 table): each case's search text as space-separated pairs of
    /// characters, for two-character searches. PostgreSQL keeps the pairs in `case_search.pairs`
    /// instead (`db::case_search::pg_case_search`).
    case_bigrams (rowid) {
        rowid -> BigInt,
        case_id -> BigInt,
        tokens -> Text,
    }
}

// Rate limits shared by every instance (issue 15).
diesel::table! {
    /// One per limited action and client address: when what the address took is regained
    /// (`domain::rate_limit`, milliseconds since the Unix epoch).
    rate_limit_buckets (id) {
        id -> BigInt,
        action -> Text,
        address -> Text,
        tat_ms -> BigInt,
    }
}

// The reporter's case page reads the trail, files and messages beside the notice in one
// statement (`db::case_page`).
diesel::allow_tables_to_appear_in_same_query!(platform_notices, audit_events);
diesel::allow_tables_to_appear_in_same_query!(platform_notices, evidence);
diesel::allow_tables_to_appear_in_same_query!(platform_notices, evidence_redactions);
diesel::allow_tables_to_appear_in_same_query!(platform_notices, case_messages);
diesel::allow_tables_to_appear_in_same_query!(platform_notices, officers);
