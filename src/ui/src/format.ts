// One way to show instants everywhere: UTC, to the second (milliseconds when they matter).
export function formatInstant(iso: string, withMs = false): string {
  const text = new Date(iso).toISOString().replace('T', ' ');
  return `${withMs ? text.slice(0, 23) : text.slice(0, 19)} UTC`;
}

export function versionLabel(version: number | null | undefined): string {
  return version == null ? 'none' : `v${version}`;
}

/** A short description of a history event, e.g. "production: v7 -> v8". */
export function describeEvent(e: {
  action: string;
  alias?: string | null;
  version?: number | null;
  previousVersion?: number | null;
  key?: string | null;
  newValue?: string | null;
  previousValue?: string | null;
}): string {
  switch (e.action) {
    case 'ALIAS_SET':
      return `${e.alias}: ${versionLabel(e.previousVersion)} -> ${versionLabel(e.version)}`;
    case 'ALIAS_DELETED':
      return `${e.alias} removed (was ${versionLabel(e.previousVersion)})`;
    case 'MODEL_TAG_SET':
      return `tag ${e.key} = ${e.newValue}`;
    case 'MODEL_TAG_DELETED':
      return `tag ${e.key} removed`;
    case 'VERSION_TAG_SET':
      return `v${e.version} tag ${e.key} = ${e.newValue}`;
    case 'VERSION_TAG_DELETED':
      return `v${e.version} tag ${e.key} removed`;
    case 'VERSION_CREATED':
      return `v${e.version} registered`;
    case 'VERSION_DELETED':
      return `v${e.version} deleted`;
    case 'MODEL_RENAMED':
      return `renamed ${e.previousValue} -> ${e.newValue}`;
    case 'VERSION_STAGE_CHANGED':
      return `v${e.version} stage ${e.previousValue} -> ${e.newValue}`;
    default:
      return e.action.toLowerCase().replaceAll('_', ' ');
  }
}
