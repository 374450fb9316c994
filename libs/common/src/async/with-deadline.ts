/**
 * `promise`, or a rejection with `late()`'s error once `ms` have passed without its answer (the timer is
 * cleared either way; the promise itself runs on, its late answer or failure ignored).
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
