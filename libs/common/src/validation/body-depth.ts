/** Bodies (and IM frames) nested deeper than this are refused: legitimate ones are one or two levels deep. */
export const MAX_BODY_DEPTH = 32;

/**
 * Bodies (and IM frames) holding more object fields than this, at every level together, are refused: legitimate
 * ones hold under 20. Each unknown field costs the validation an error and its answer a line (an attacker pass,
 * 2026-12-02: 5,000 unknown fields in a 49 KB body took the gateway 64-91 ms and answered 198 KB; 90 of them
 * held /health 5 s; 890 in an 8 KB login frame, 1.4 ms of im-core each, before any login).
 */
export const MAX_BODY_FIELDS = 64;

/**
 * Values (fields and array elements, at every level together) a body or frame may hold: the largest legitimate
 * array is /user/names' 100 ids. Bounds the walk, class-transformer's copy and the pipe's per-element checks of
 * a body that is mostly array (21,000 empty objects fit in 64 KB, and hold no field).
 */
export const MAX_BODY_VALUES = 1_024;

/**
 * Why a parsed JSON value is refused before anything walks it recursively (class-transformer, the validation
 * pipe's prototype-key scan) or validates it field by field: it holds objects or arrays more than `maxDepth`
 * levels deep (the outermost is level 1), more than `maxFields` object fields in all, or more than `maxValues`
 * values (fields and array elements) in all. null when none. Walked without recursion, so 200,000 levels cost a
 * loop, not the stack; it stops at the first limit passed.
 */
export function shapeProblem(
  value: unknown,
  maxDepth = MAX_BODY_DEPTH,
  maxFields = MAX_BODY_FIELDS,
  maxValues = MAX_BODY_VALUES,
): string | null {
  if (value === null || typeof value !== 'object') return null;
  let fields = 0;
  let values = 0;
  const stack: [object, number][] = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    const children = Object.values(node);
    if (!Array.isArray(node) && (fields += children.length) > maxFields) return `has more than ${maxFields} fields`;
    if ((values += children.length) > maxValues) return `has more than ${maxValues} values`;
    for (const child of children) {
      if (child === null || typeof child !== 'object') continue;
      if (depth >= maxDepth) return `is nested deeper than ${maxDepth} levels`;
      stack.push([child, depth + 1]);
    }
  }
  return null;
}

/** Problems of a refused value said in one message: the first `max`, then how many more (an answer stays short). */
export function joinProblems(problems: readonly string[], max = 10): string {
  const shown = problems.slice(0, max).join('; ');
  return problems.length > max ? `${shown}; and ${problems.length - max} more` : shown;
}
