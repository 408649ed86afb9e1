-- History filters by actor, alias and action read their matches by index in sequence order instead
-- of scanning audit_event (security review F20).

-- CreateIndex
CREATE INDEX "audit_event_actor_sequence_idx" ON "audit_event"("actor", "sequence");

-- CreateIndex
CREATE INDEX "audit_event_alias_sequence_idx" ON "audit_event"("alias", "sequence");

-- CreateIndex
CREATE INDEX "audit_event_action_sequence_idx" ON "audit_event"("action", "sequence");
