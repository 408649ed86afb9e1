-- History filters by actor, alias and action read their matches by index in sequence order instead
-- of scanning audit_event (security review F20).

-- CreateIndex
CREATE INDEX "audit_event_actor_sequence_idx" ON "audit_event"("actor", "sequence");

-- CreateIndex
CREATE INDEX "audit_event_alias_sequence_idx" ON "audit_event"("alias", "sequence");

-- CreateIndex
CREATE INDEX "audit_event_action_sequence_idx" ON "audit_event"("action", "sequence");

-- CreateIndex: a scoped token's LIKE 'team-a-%' on model_name (varchar_pattern_ops: also where the
-- database is not collated as "C")
CREATE INDEX "audit_event_model_name_pattern_sequence_idx" ON "audit_event"("model_name" varchar_pattern_ops, "sequence");
