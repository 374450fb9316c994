/** Bodies (and IM frames) nested deeper than this are refused: legitimate ones are one or two levels deep. */
export const MAX_BODY_DEPTH = 32;

/**
 * Whether a parsed JSON value holds objects or arrays more than `limit` levels deep (the outermost is level 1).
 * Walked without recursion, so 200,000 levels cost a loop, not the stack: check it before anything that walks a
 * value recursively (class-transformer, the validation pipe's prototype-key scan).
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: [object, number][] = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    for (const child of Object.values(node)) {
      if (child === null || typeof child !== 'object') continue;
      if (depth >= limit) return true;
      stack.push([child, depth + 1]);
    }
  }
  return false;
}
