-- History of imports from another registry (npm run import:mlflow): a model or version that came
-- from elsewhere is recorded as imported, with its creation instant at the source, not as created.

-- AlterEnum: not used in this migration, so it may run inside the migration's transaction.
ALTER TYPE "AuditAction" ADD VALUE 'MODEL_IMPORTED';
ALTER TYPE "AuditAction" ADD VALUE 'VERSION_IMPORTED';
