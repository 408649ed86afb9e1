-- Wakes subscribers on every replica when history is appended. PostgreSQL delivers NOTIFY only
-- when the transaction commits (never for a rollback), and once per transaction however many
-- rows it inserted (identical notifications collapse). Subscribers then read the events from the
-- table by sequence, so the notification carries nothing.
CREATE FUNCTION "audit_event_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('audit_event_appended', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "audit_event_notify" AFTER INSERT ON "audit_event"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_notify"();
