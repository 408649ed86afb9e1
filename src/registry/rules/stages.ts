// MLflow's legacy stages (deprecated there since 2.9, still sent by its clients): the names MLflow
// accepts in any case and answers in its own spelling, and which stages may archive the others.
import type { ModelVersionStage } from '../../generated/prisma/client.ts';
import { ValidationError } from './errors.ts';

/** MLflow's spelling of each stage, in MLflow's order (its error messages list them so). */
export const MLFLOW_STAGE_NAMES: Readonly<Record<ModelVersionStage, string>> = Object.freeze({
  NONE: 'None',
  STAGING: 'Staging',
  PRODUCTION: 'Production',
  ARCHIVED: 'Archived',
});

const STAGES = Object.keys(MLFLOW_STAGE_NAMES) as ModelVersionStage[];

/** The stages a transition may archive the others of (MLflow's "active" stages). */
export const ACTIVE_STAGES: readonly ModelVersionStage[] = ['STAGING', 'PRODUCTION'];

/** A stage as MLflow accepts it, in any case (`staging`, `STAGING`, `Staging`); else a ValidationError. */
export function parseStage(value: string, field = 'stage'): ModelVersionStage {
  const stage = STAGES.find((s) => s === value.toUpperCase());
  if (stage === undefined) {
    throw new ValidationError(
      field,
      `Invalid Model Version stage: ${value}. Value must be one of ${STAGES.map((s) => MLFLOW_STAGE_NAMES[s]).join(', ')}.`,
    );
  }
  return stage;
}

/** Archiving the others of a stage is only allowed into an active stage, as in MLflow. */
export function checkArchiveExisting(stage: ModelVersionStage, field = 'archiveExistingVersions'): void {
  if (!ACTIVE_STAGES.includes(stage)) {
    throw new ValidationError(
      field,
      `Model version transition cannot archive existing model versions because '${MLFLOW_STAGE_NAMES[stage]}' is not an Active stage. ` +
        `Valid stages are ${ACTIVE_STAGES.map((s) => MLFLOW_STAGE_NAMES[s]).join(', ')}.`,
    );
  }
}
