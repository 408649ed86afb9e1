// Where the project's own files are, whatever the current directory is.
import { fileURLToPath } from 'node:url';

/** The folder holding package.json. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
