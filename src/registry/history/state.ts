// The registry as replaying its history rebuilds it, in memory: what the integrity checker compares
// with the stored rows.
//
// What history cannot say: a version's runId and runLink are never recorded in events, and its
// description at creation is not either (only later changes are, with their previous value). The
// state therefore holds a version's description as UNKNOWN until an update event reveals it, and
// holds no runId/runLink. A version's storage location is not recorded either: it follows from the
// source and the versions that existed when it was created.

/** A version's description before any update event revealed it. */
export const UNKNOWN = Symbol('unknown');

export interface ReplayedVersion {
  source: string | null;
  description: string | null | typeof UNKNOWN;
  status: string;
  statusMessage: string | null;
  stage: string;
  createdAt: number;
  updatedAt: number;
  tags: Map<string, string>;
}

export interface ReplayedModel {
  id: number;
  name: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
  lastVersion: number;
  tags: Map<string, string>;
  versions: Map<number, ReplayedVersion>;
  aliases: Map<string, { version: number; updatedAt: number }>;
}

export interface ReplayedRegistry {
  models: Map<number, ReplayedModel>;
  /** Ids of models history deleted: an event about one of them comes too late, not too early. */
  deletedModels: Set<number>;
}

export const emptyReplayedRegistry = (): ReplayedRegistry => ({ models: new Map(), deletedModels: new Set() });

export const show = (value: unknown): string => (value === UNKNOWN ? '(unknown)' : JSON.stringify(value));
