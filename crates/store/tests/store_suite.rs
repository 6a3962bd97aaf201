//! The store's one test suite, run against every backend (in the style of quickwit's
//! metastore tests): each test in `suite/` is a function over a [`suite::TestStore`], and
//! `store_suite!` turns it into one `#[test]` per backend. PostgreSQL runs when
//! `COMPTOIR_TEST_POSTGRES_URL` is set, each test in a fresh schema dropped at the end.

mod suite;

store_suite! {
    mentions::migrations_are_idempotent,
    cases::a_mention_opens_a_case_for_its_authors_contact_and_replies_join_it,
    cases::cases_are_listed_newest_first_by_filter_and_keyset,
    cases::care_settings_round_trip,
    cases::replies_callbacks_and_surveys_are_kept,
    cases::case_arrivals_are_counted_per_utc_hour,
    cases::an_incident_links_to_the_cases_holding_its_mentions,
    mentions::insert_and_get_round_trip_every_field,
    mentions::duplicates_within_a_batch_and_across_batches_keep_the_first_id,
    mentions::a_large_batch_keeps_its_order,
    mentions::update_keeps_the_id_and_takes_a_new_seq,
    mentions::delete_removes_the_mention_and_never_reuses_its_id,
    mentions::get_mentions_follows_the_requested_order,
    mentions::count_mentions_counts_stored_mentions,
    mentions::written_data_survives_a_reopen,
    enrichment::enrichment_round_trips_and_is_replaced_by_updates,
    enrichment::mentions_to_enrich_pages_by_model_version,
    enrichment::corrections_replace_the_enrichment_and_are_kept,
    influence::influence_is_upserted_read_back_and_ranked,
    changes::an_empty_store_has_no_changes,
    changes::changes_since_reports_inserts_edits_and_deletes_once_in_seq_order,
    changes::changes_since_pages_through_the_union_of_upserts_and_deletes,
    records::quarantine_round_trips_newest_first,
    records::topics_are_created_listed_and_deleted_with_unique_names,
    records::api_tokens_are_found_by_digest_only,
    records::state_values_are_overwritten,
    records::mailbox_cursors_move_forward_and_reset_on_a_new_uid_validity,
    people::users_round_trip_with_unique_case_insensitive_emails,
    people::sessions_expire_and_are_deleted,
    people::api_tokens_belong_to_users_and_keep_their_scopes,
    people::teams_are_created_renamed_and_deleted,
    people::audit_entries_are_listed_newest_first_by_entity,
    contacts::each_new_author_becomes_one_contact,
    contacts::identities_are_unique_and_searchable,
    contacts::merge_moves_everything_and_undo_restores_both_exactly,
    contacts::merge_evidence_is_found_by_identity_and_bio,
    contacts::erasure_blanks_mentions_and_keeps_no_personal_data,
    early_warning::incidents_round_trip_page_newest_first_and_are_unique_per_slice_and_start,
    early_warning::incident_mentions_are_linked_once_and_paged,
    early_warning::alert_rules_and_alerts_round_trip,
}
