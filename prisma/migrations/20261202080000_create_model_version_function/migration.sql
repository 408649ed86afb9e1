-- Registering a version in one round trip (issue 14), like the alias move (20261202070000): lock the
-- model, take the next number (the highest ever used + 1, so deleted numbers are never handed out
-- again), insert the version and its tags, and record VERSION_CREATED and one VERSION_TAG_SET per
-- tag, as one statement that is atomic on its own. The command (src/registry/commands/versions.ts)
-- checks every rule first and resolves a `models:/name/N` source's storage location; the events
-- carry what HISTORY_EVENTS (src/registry/history/events.ts) says they carry, which the integrity
-- checker's replay verifies.
--
-- outcome: model_not_found | created
CREATE FUNCTION "registry_create_model_version"(
  p_name TEXT, p_source TEXT, p_run_id TEXT, p_run_link TEXT, p_description TEXT, p_storage_location TEXT,
  p_tag_keys TEXT[], p_tag_values TEXT[], p_actor TEXT)
RETURNS TABLE (outcome TEXT, model JSONB, version JSONB)
LANGUAGE plpgsql AS $$
DECLARE
  m "registered_model";
  v "model_version";
  v_now TIMESTAMPTZ;
BEGIN
  SELECT * INTO m FROM "registered_model" WHERE "name" = p_name FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'model_not_found', NULL::JSONB, NULL::JSONB;
    RETURN;
  END IF;
  v_now := date_trunc('milliseconds', clock_timestamp());
  UPDATE "registered_model" SET "last_version" = m."last_version" + 1, "updated_at" = v_now WHERE "id" = m."id" RETURNING * INTO m;
  INSERT INTO "model_version" ("model_id", "version", "source", "run_id", "run_link", "description", "storage_location", "created_at", "updated_at")
    VALUES (m."id", m."last_version", p_source, p_run_id, p_run_link, p_description, p_storage_location, v_now, v_now)
    RETURNING * INTO v;
  INSERT INTO "model_version_tag" ("version_id", "key", "value")
    SELECT v."id", t.key, t.value FROM unnest(p_tag_keys, p_tag_values) AS t(key, value);
  -- Two statements: VERSION_CREATED's sequence comes before its tags'.
  INSERT INTO "audit_event" ("at", "actor", "action", "model_id", "model_name", "version", "new_value")
    VALUES (v_now, p_actor, 'VERSION_CREATED', m."id", m."name", v."version", p_source);
  INSERT INTO "audit_event" ("at", "actor", "action", "model_id", "model_name", "version", "key", "new_value")
    SELECT v_now, p_actor, 'VERSION_TAG_SET', m."id", m."name", v."version", t.key, t.value
    FROM unnest(p_tag_keys, p_tag_values) WITH ORDINALITY AS t(key, value, position) ORDER BY t.position;
  RETURN QUERY SELECT 'created', to_jsonb(m), to_jsonb(v);
END
$$;
