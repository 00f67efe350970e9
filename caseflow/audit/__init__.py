"""The audit trail: `services.record` adds an entry to the caller's unit of work. The page that
shows the trail is caseflow/audit_log (it needs participants, which sit above this package)."""
