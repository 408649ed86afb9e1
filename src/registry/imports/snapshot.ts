// What an import brings into the registry: another registry's models, versions, tags, aliases and
// stages as one whole, read from its source (MLflow's REST API or its database, src/mlflow/import/)
// before anything is written. The source readers build it; registry.importSnapshot applies it.
import type { ModelVersionStage, ModelVersionStatus } from '../../generated/prisma/client.ts';

export interface SnapshotTag {
  key: string;
  value: string;
}

export interface SnapshotVersion {
  version: number;
  source: string;
  runId: string | null;
  runLink: string | null;
  description: string | null;
  status: ModelVersionStatus;
  statusMessage: string | null;
  stage: ModelVersionStage;
  /** Where the artifacts are when the source does not say it itself (`models:/name/N` sources). */
  storageLocation: string | null;
  createdAt: Date;
  updatedAt: Date;
  tags: SnapshotTag[];
}

export interface SnapshotModel {
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
  /**
   * The highest version number the source ever handed out, deleted versions included, when the
   * source knows it (a database); otherwise the highest live one. The next version is one above.
   */
  lastVersion: number;
  tags: SnapshotTag[];
  /** Each alias names a live version of this model (the reader drops dangling ones, with a warning). */
  aliases: { alias: string; version: number }[];
  /** Live versions only, by number. */
  versions: SnapshotVersion[];
}

export interface RegistrySnapshot {
  /** Where it was read, for messages ("MLflow at http://mlflow:5000", "MLflow database mlflow.db"). */
  origin: string;
  models: SnapshotModel[];
  /** What the reader changed or left out to fit (a NULL tag value, a dangling alias), one line each. */
  warnings: string[];
}
