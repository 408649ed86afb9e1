// PostGraphile 5 declares node >= 22 and needs nothing of it but Promise.withResolvers (grafast,
// @dataplan/pg and grafserv call it; no other API newer than node 20 appears in their dist), so its
// bench server, like ours, runs on the node of this project, with this polyfill: the standard one.
const promise = Promise as unknown as { withResolvers?: () => unknown };
promise.withResolvers ??= <T>() => {
  let resolve!: (value: T | PromiseLike<T>) => void;
  let reject!: (reason?: unknown) => void;
  const settled = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise: settled, resolve, reject };
};
