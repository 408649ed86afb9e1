// Progress goes to stderr, so that --json leaves stdout to the results.
export const progress = (line: string) => process.stderr.write(`${line}\n`);
