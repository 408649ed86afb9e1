-- CreateEnum
CREATE TYPE "ModelVersionStatus" AS ENUM ('PENDING_REGISTRATION', 'READY', 'FAILED_REGISTRATION');

-- CreateEnum
CREATE TYPE "AuditAction" AS ENUM ('MODEL_CREATED', 'MODEL_UPDATED', 'MODEL_RENAMED', 'MODEL_DELETED', 'VERSION_CREATED', 'VERSION_UPDATED', 'VERSION_DELETED', 'MODEL_TAG_SET', 'MODEL_TAG_DELETED', 'VERSION_TAG_SET', 'VERSION_TAG_DELETED', 'ALIAS_SET', 'ALIAS_DELETED');

-- CreateTable
CREATE TABLE "registered_model" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(256) NOT NULL,
    "description" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "last_version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "registered_model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_version" (
    "id" SERIAL NOT NULL,
    "model_id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "source" VARCHAR(4096) NOT NULL,
    "run_id" VARCHAR(256),
    "run_link" VARCHAR(4096),
    "description" TEXT,
    "status" "ModelVersionStatus" NOT NULL DEFAULT 'READY',
    "status_message" VARCHAR(4096),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "model_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "registered_model_tag" (
    "model_id" INTEGER NOT NULL,
    "key" VARCHAR(250) NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "registered_model_tag_pkey" PRIMARY KEY ("model_id","key")
);

-- CreateTable
CREATE TABLE "model_version_tag" (
    "version_id" INTEGER NOT NULL,
    "key" VARCHAR(250) NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "model_version_tag_pkey" PRIMARY KEY ("version_id","key")
);

-- CreateTable
CREATE TABLE "model_alias" (
    "model_id" INTEGER NOT NULL,
    "alias" VARCHAR(255) NOT NULL,
    "version_id" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "model_alias_pkey" PRIMARY KEY ("model_id","alias")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "sequence" SERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actor" VARCHAR(256),
    "action" "AuditAction" NOT NULL,
    "model_id" INTEGER NOT NULL,
    "model_name" VARCHAR(256) NOT NULL,
    "version" INTEGER,
    "previous_version" INTEGER,
    "alias" VARCHAR(255),
    "key" VARCHAR(250),
    "previous_value" TEXT,
    "new_value" TEXT,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("sequence")
);

-- CreateIndex
CREATE UNIQUE INDEX "registered_model_name_key" ON "registered_model"("name");

-- CreateIndex
CREATE INDEX "registered_model_updated_at_id_idx" ON "registered_model"("updated_at", "id");

-- CreateIndex
CREATE INDEX "registered_model_created_at_id_idx" ON "registered_model"("created_at", "id");

-- CreateIndex
CREATE INDEX "model_version_created_at_id_idx" ON "model_version"("created_at", "id");

-- CreateIndex
CREATE INDEX "model_version_run_id_idx" ON "model_version"("run_id");

-- CreateIndex
CREATE UNIQUE INDEX "model_version_model_id_version_key" ON "model_version"("model_id", "version");

-- CreateIndex
CREATE INDEX "registered_model_tag_key_value_idx" ON "registered_model_tag"("key", "value");

-- CreateIndex
CREATE INDEX "model_version_tag_key_value_idx" ON "model_version_tag"("key", "value");

-- CreateIndex
CREATE INDEX "model_alias_version_id_idx" ON "model_alias"("version_id");

-- CreateIndex
CREATE INDEX "model_alias_alias_idx" ON "model_alias"("alias");

-- CreateIndex
CREATE INDEX "audit_event_model_id_sequence_idx" ON "audit_event"("model_id", "sequence");

-- CreateIndex
CREATE INDEX "audit_event_model_id_alias_sequence_idx" ON "audit_event"("model_id", "alias", "sequence");

-- CreateIndex
CREATE INDEX "audit_event_model_name_sequence_idx" ON "audit_event"("model_name", "sequence");

-- CreateIndex
CREATE INDEX "audit_event_at_idx" ON "audit_event"("at");

-- AddForeignKey
ALTER TABLE "model_version" ADD CONSTRAINT "model_version_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "registered_model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "registered_model_tag" ADD CONSTRAINT "registered_model_tag_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "registered_model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_version_tag" ADD CONSTRAINT "model_version_tag_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "model_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_alias" ADD CONSTRAINT "model_alias_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "registered_model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_alias" ADD CONSTRAINT "model_alias_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "model_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;
