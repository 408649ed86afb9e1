// A small MLflow Model Registry described as data, which the test doubles turn into MLflow's database
// (mlflow-databases.ts) or serve over MLflow's REST API (mlflow-rest-stand-in.ts), so that one
// description can be read by every importer source.

export type MlflowStage = 'None' | 'Staging' | 'Production' | 'Archived';

export interface MlflowDataVersion {
  version: number;
  source: string;
  /** '' (MLflow's value when no run was given) unless set. */
  runId?: string;
  runLink?: string;
  description?: string | null;
  stage?: MlflowStage;
  status?: 'READY' | 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION';
  statusMessage?: string | null;
  /** Where MLflow resolved a `models:/` source to; otherwise MLflow stores the source itself. */
  storageLocation?: string;
  createdAt: number;
  updatedAt: number;
  /** A null value is a NULL in MLflow's table (legal there); REST leaves `value` out. */
  tags?: Record<string, string | null>;
  /** Soft-deleted: in the database as MLflow leaves it (stage Deleted_Internal, redacted), invisible over REST. */
  deleted?: boolean;
}

export interface MlflowDataModel {
  name: string;
  description?: string | null;
  createdAt: number;
  updatedAt: number;
  tags?: Record<string, string | null>;
  /** Alias -> version number; the version may be missing or deleted (a dangling alias, as MLflow allows). */
  aliases?: Record<string, number>;
  versions?: MlflowDataVersion[];
}

export interface MlflowData {
  models: MlflowDataModel[];
}

export const liveVersions = (model: MlflowDataModel): MlflowDataVersion[] => (model.versions ?? []).filter((v) => !v.deleted);

/** The location get-download-uri answers, and MLflow's `storage_location` column. */
export const storageLocationOf = (version: MlflowDataVersion): string => version.storageLocation ?? version.source;
