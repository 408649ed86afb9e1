-- MLflow's legacy stages and the resolved artifact location of a version (the MLflow REST facade:
-- transition-stage, get-latest-versions, get-download-uri).

-- CreateEnum
CREATE TYPE "ModelVersionStage" AS ENUM ('NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED');

-- AlterEnum: not used in this migration, so it may run inside the migration's transaction.
ALTER TYPE "AuditAction" ADD VALUE 'VERSION_STAGE_CHANGED';

-- AlterTable: existing versions were never transitioned, which is MLflow's None; a null location
-- means the source is where the artifacts are.
ALTER TABLE "model_version" ADD COLUMN "stage" "ModelVersionStage" NOT NULL DEFAULT 'NONE',
ADD COLUMN "storage_location" TEXT;
