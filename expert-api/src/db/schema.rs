//! Table definitions shared by both backends; the SQL lives in
//! `migrations/{sqlite,postgres}` and must stay column-for-column equal.

diesel::table! {
    audit_entries (seq) {
        seq -> BigInt,
        time -> Timestamp,
        kind -> Text,
        actor -> Text,
        subject -> Nullable<Text>,
        leaf -> Text,
        leaf_hash -> Binary,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        size -> BigInt,
        compact -> Binary,
        root -> Binary,
    }
}

diesel::table! {
    audit_nodes (level, idx) {
        level -> Integer,
        idx -> BigInt,
        hash -> Binary,
    }
}

diesel::table! {
    counters (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        token_hash -> Binary,
        role -> Text,
        region -> Nullable<Text>,
        label -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    experts (id) {
        id -> Text,
        name -> Text,
        resident_id -> Text,
        birth_date -> Date,
        mobile -> Text,
        region -> Text,
        employer_name -> Text,
        employer_code -> Text,
        title -> Text,
        senior_equivalent -> Bool,
        years_in_field -> Integer,
        civil_servant -> Bool,
        employer_contact -> Nullable<Text>,
        documents -> Text,
        specialties -> Text,
        status -> Text,
        status_data -> Text,
        term_number -> Integer,
        term_end -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        term_start -> Nullable<Date>,
        leave_from -> Nullable<Date>,
        leave_to -> Nullable<Date>,
    }
}

diesel::table! {
    expert_specialties (expert_id, code) {
        expert_id -> Text,
        code -> Text,
    }
}

diesel::table! {
    employment_history (expert_id, position) {
        expert_id -> Text,
        position -> Integer,
        employer_code -> Text,
        employer_name -> Text,
        from_date -> Date,
        to_date -> Nullable<Date>,
    }
}

diesel::table! {
    expert_leaves (expert_id, from_date) {
        expert_id -> Text,
        from_date -> Date,
        to_date -> Date,
        reason -> Text,
    }
}

diesel::table! {
    expert_declines (expert_id, reference) {
        expert_id -> Text,
        declined_at -> Timestamp,
        reference -> Text,
        reason -> Text,
    }
}

diesel::table! {
    bans (resident_id, since) {
        resident_id -> Text,
        since -> Date,
        until -> Nullable<Date>,
        removed -> Bool,
        reason -> Text,
    }
}

diesel::table! {
    draws (id) {
        id -> Text,
        panel_id -> Text,
        parent -> Nullable<Text>,
        parent_group -> Nullable<Integer>,
        project_id -> Text,
        project_name -> Text,
        region -> Text,
        tenderer -> Text,
        bid_section -> Text,
        window_start -> Timestamp,
        window_end -> Timestamp,
        venue -> Text,
        representatives -> Integer,
        request -> Text,
        state -> Text,
        statement_hash -> Text,
        nonce -> Binary,
        nonce_commitment -> Text,
        candidate_count -> Integer,
        excluded -> Text,
        beacon -> Nullable<Text>,
        seed -> Nullable<Text>,
        result -> Nullable<Text>,
        shortfall -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        revealed_at -> Nullable<Timestamp>,
        unsealed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    draw_statements (draw_id) {
        draw_id -> Text,
        statement -> Text,
    }
}

diesel::table! {
    panel_members (panel_id, expert_id) {
        panel_id -> Text,
        expert_id -> Text,
        draw_id -> Text,
        pseudonym -> Text,
        group_index -> Integer,
        position -> Integer,
        drawn_as -> Text,
        state -> Text,
        seat -> Bool,
        tenderer -> Text,
        window_start -> Timestamp,
        window_end -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    panel_changes (panel_id, position) {
        panel_id -> Text,
        position -> Integer,
        kind -> Text,
        group_index -> Integer,
        out_id -> Nullable<Text>,
        in_id -> Nullable<Text>,
        source_draw -> Text,
        reason -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        token_hash -> Binary,
        panel_id -> Text,
        expert_id -> Text,
        created_at -> Timestamp,
        deadline -> Timestamp,
        answer -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
        conflict -> Bool,
        operator_entered -> Bool,
        evidence -> Nullable<Text>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        channel -> Text,
        recipient_ref -> Text,
        payload -> Text,
        idempotency_key -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        cancelled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    checkpoints (size) {
        size -> BigInt,
        root -> Text,
        note -> Text,
        time -> Timestamp,
    }
}

diesel::table! {
    awards (panel_id) {
        panel_id -> Text,
        project_id -> Text,
        bid_section -> Text,
        awarded_at -> Timestamp,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    evaluation_results (panel_id, version) {
        panel_id -> Text,
        version -> Integer,
        body -> Text,
        note -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    assessment_links (id) {
        id -> Text,
        token_hash -> Binary,
        panel_id -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    assessment_sheets (draw_id, expert_id, rater_role, rater_id, version) {
        draw_id -> Text,
        expert_id -> Text,
        rater_role -> Text,
        rater_id -> Text,
        version -> Integer,
        body -> Text,
        total -> Integer,
        percent -> Integer,
        evaluation_on -> Date,
        submitted_on -> Date,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    violations (id) {
        id -> Text,
        expert_id -> Text,
        draw_id -> Nullable<Text>,
        code -> Text,
        points -> Integer,
        occurred_on -> Date,
        evidence -> Text,
        settled -> Bool,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    sanction_proposals (key) {
        key -> Text,
        expert_id -> Text,
        as_of -> Date,
        body -> Text,
        case_no -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    cases (case_no) {
        case_no -> Text,
        expert_id -> Text,
        stage -> Text,
        body -> Text,
        opened_on -> Date,
        published_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    case_events (case_no, position) {
        case_no -> Text,
        position -> Integer,
        kind -> Text,
        body -> Text,
        stage -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    employer_letters (case_no) {
        case_no -> Text,
        recipient -> Text,
        title -> Text,
        text -> Text,
        text_sha256 -> Text,
        issued_on -> Date,
        generated_by -> Text,
        generated_at -> Timestamp,
        delivered_on -> Nullable<Date>,
        channel -> Nullable<Text>,
        reference -> Nullable<Text>,
    }
}

diesel::joinable!(expert_specialties -> experts (expert_id));
diesel::joinable!(employment_history -> experts (expert_id));
diesel::joinable!(expert_leaves -> experts (expert_id));
diesel::joinable!(expert_declines -> experts (expert_id));
diesel::joinable!(violations -> experts (expert_id));
diesel::joinable!(cases -> experts (expert_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_entries,
    audit_head,
    audit_nodes,
    counters,
    api_tokens,
    experts,
    expert_specialties,
    employment_history,
    expert_leaves,
    expert_declines,
    bans,
    draws,
    draw_statements,
    panel_members,
    panel_changes,
    invitations,
    outbox,
    checkpoints,
    awards,
    evaluation_results,
    assessment_links,
    assessment_sheets,
    violations,
    sanction_proposals,
    cases,
    case_events,
    employer_letters,
);
