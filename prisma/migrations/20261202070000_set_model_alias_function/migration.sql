-- The alias move in one round trip (issue 14): a release bot's promotion is the registry's most
-- frequent write, and as an interactive transaction it cost five round trips (BEGIN, lock, read,
-- write, COMMIT). This function does the same steps inside the database, as one statement that is
-- atomic on its own: lock the model row, read the target version and the alias (each statement in
-- a function sees what committed before it, so the reads after the lock are current), decide, and
-- on a change write the alias, the model's updated_at and the ALIAS_SET event together.
--
-- The rules stay in src/registry/commands/aliases.ts: the function reports what it found
-- (`outcome`), and the command turns it into the typed result or error. It decides nothing the
-- command has not already checked (role, scope, protected aliases, input rules).
--
-- outcome: model_not_found | case_twin (twin: the alias spelled otherwise) | version_not_found |
--          conflict (current_version) | unchanged | changed
CREATE FUNCTION "registry_set_model_alias"(p_name TEXT, p_alias TEXT, p_version INTEGER, p_expected INTEGER, p_actor TEXT)
RETURNS TABLE (outcome TEXT, twin TEXT, current_version INTEGER, at TIMESTAMPTZ, model JSONB, target JSONB, previous JSONB)
LANGUAGE plpgsql AS $$
DECLARE
  m "registered_model";
  t "model_version";
  a "model_alias";
  p "model_version";
  v_twin TEXT;
  v_now TIMESTAMPTZ;
BEGIN
  SELECT * INTO m FROM "registered_model" WHERE "name" = p_name FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'model_not_found', NULL::TEXT, NULL::INTEGER, NULL::TIMESTAMPTZ, NULL::JSONB, NULL::JSONB, NULL::JSONB;
    RETURN;
  END IF;
  -- Milliseconds, as the columns keep them: the instant returned is the one stored.
  v_now := date_trunc('milliseconds', clock_timestamp());
  SELECT * INTO a FROM "model_alias" WHERE "model_id" = m."id" AND "alias" = p_alias;
  IF FOUND THEN
    SELECT * INTO p FROM "model_version" WHERE "id" = a."version_id";
  ELSE
    -- Aliases are unique whatever their case: a new alias that differs only in case is refused.
    SELECT "alias" INTO v_twin FROM "model_alias" WHERE "model_id" = m."id" AND lower("alias") = lower(p_alias) LIMIT 1;
    IF v_twin IS NOT NULL THEN
      RETURN QUERY SELECT 'case_twin', v_twin, NULL::INTEGER, v_now, to_jsonb(m), NULL::JSONB, NULL::JSONB;
      RETURN;
    END IF;
  END IF;
  SELECT * INTO t FROM "model_version" WHERE "model_id" = m."id" AND "version" = p_version;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'version_not_found', NULL::TEXT, p."version", v_now, to_jsonb(m), NULL::JSONB, NULL::JSONB;
    RETURN;
  END IF;
  -- Compare-and-set: 0 means "must not exist yet", n "must point at version n now".
  IF p_expected IS NOT NULL AND ((p_expected = 0 AND p."id" IS NOT NULL) OR (p_expected <> 0 AND p."version" IS DISTINCT FROM p_expected)) THEN
    RETURN QUERY SELECT 'conflict', NULL::TEXT, p."version", v_now, to_jsonb(m), to_jsonb(t), NULL::JSONB;
    RETURN;
  END IF;
  IF p."id" = t."id" THEN
    RETURN QUERY SELECT 'unchanged', NULL::TEXT, p."version", a."updated_at", to_jsonb(m), to_jsonb(t), NULL::JSONB;
    RETURN;
  END IF;
  INSERT INTO "model_alias" ("model_id", "alias", "version_id", "updated_at") VALUES (m."id", p_alias, t."id", v_now)
    ON CONFLICT ("model_id", "alias") DO UPDATE SET "version_id" = EXCLUDED."version_id", "updated_at" = EXCLUDED."updated_at";
  UPDATE "registered_model" SET "updated_at" = v_now WHERE "id" = m."id";
  m."updated_at" := v_now;
  INSERT INTO "audit_event" ("at", "actor", "action", "model_id", "model_name", "version", "previous_version", "alias")
    VALUES (v_now, p_actor, 'ALIAS_SET', m."id", m."name", t."version", p."version", p_alias);
  RETURN QUERY SELECT 'changed', NULL::TEXT, p."version", v_now, to_jsonb(m), to_jsonb(t),
    CASE WHEN p."id" IS NULL THEN NULL ELSE to_jsonb(p) END;
END
$$;
