import { cutText } from '../logging/cut-text';
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
 * Fields one object of a payload the totals above do not bound may hold (internal RPC: a settlement batch holds
 * 1,000 items, an IM batch 1,000 messages, so thousands of fields in all; each object of them fewer than 20).
 * class-transformer's copy is quadratic in an object's unknown fields (2026-12-02: 10,000 took 73 ms, 40,000
 * 687 ms; 60,000 in an RPC payload held the validation pipe 1.85 s).
 */
export const MAX_OBJECT_FIELDS = 256;

/**
 * Values (fields and array elements, at every level together) of a payload the totals above do not bound, once
 * its compiled checker declined it: a settlement batch holds about 20,000, an IM batch about 16,000. Each costs
 * Nest's prototype-key scan and class-transformer's copy a step: 1,300,000 empty objects (a 3.9 MB frame) in a
 * string field took the pipe 4.4 s, 100,000 of them 0.35 s.
 */
export const MAX_PAYLOAD_VALUES = 100_000;

/**
 * Why a parsed JSON value is refused before anything walks it recursively (class-transformer, the validation
 * pipe's prototype-key scan) or validates it field by field: it holds objects or arrays more than `maxDepth`
 * levels deep (the outermost is level 1), more than `maxFields` object fields in all, or more than `maxValues`
 * values (fields and array elements) in all, or an object of more than `maxObjectFields` fields. null when none.
 * Walked without recursion, so 200,000 levels cost a loop, not the stack; it stops at the first limit passed.
 */
export function shapeProblem(
  value: unknown,
  maxDepth = MAX_BODY_DEPTH,
  maxFields = MAX_BODY_FIELDS,
  maxValues = MAX_BODY_VALUES,
  maxObjectFields = Infinity,
): string | null {
  if (value === null || typeof value !== 'object') return null;
  let fields = 0;
  let values = 0;
  const stack: [object, number][] = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    const children = Object.values(node);
    if (!Array.isArray(node) && children.length > maxObjectFields)
      return `has an object of more than ${maxObjectFields} fields`;
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

/** Outside strings, the characters a JSON text's shape is made of: a string's quote, containers, fields, values. */
const JSON_STRUCTURE = /["{}[\]:,]/g;

/**
 * Why a JSON text is refused, told from the text before it is parsed: shapeProblem's limits and words, with
 * fields and values counted as written (a repeated key counts each time; values by their commas: `commas + 1`
 * is at most the values), so it never refuses a value shapeProblem accepts, unless a key repeats. null when none, and for a text that
 * is not JSON (its parse refuses it). The parse is most of what a misshapen body costs, refused after it or
 * not. Measured 2026-12-02 (Node 24, 2 cores; JSON.parse against this scan, which stops at the first limit
 * passed): 5,000 fields in 49 KB 1.5-3.2 ms against 25 µs; 30,000 nested brackets 3.8-3.9 ms against 2-4 µs;
 * 21,000 `{}` 1.1-1.8 ms against 0.3 ms; 32,000 zeros 0.9 ms against 0.1 ms; a 64 KB string 41-50 µs against
 * 1.5 µs, of escaped quotes 0.3 ms against 0.16 ms; a send's 100 bytes 1 µs against 2 µs (so short texts are
 * not scanned: SCAN_BEFORE_PARSE_FROM). It jumps from one structural character to the next (a regular
 * expression; a string to its closing quote), and stops where the text is plainly not JSON (a closing bracket
 * with nothing open; a string, `{` or `[` right after a string or a container) and after as many structural
 * characters as a value within the limits can hold (scanTokenLimit): a second review found 64 KB of `}` or `""`
 * scanned to the end, 5-10 ms each, where their parse fails in 13 µs.
 */
export function jsonTextProblem(
  text: string,
  maxDepth = MAX_BODY_DEPTH,
  maxFields = MAX_BODY_FIELDS,
  maxValues = MAX_BODY_VALUES,
): string | null {
  let depth = 0;
  let fields = 0;
  let commas = 0;
  let tokens = scanTokenLimit(maxFields, maxValues);
  /** A string or a container just closed: what follows is a colon, a comma or a closing bracket (else not JSON). */
  let closed = false;
  JSON_STRUCTURE.lastIndex = 0;
  for (let m = JSON_STRUCTURE.exec(text); m !== null; m = JSON_STRUCTURE.exec(text)) {
    if (--tokens < 0) return `has more than ${maxValues} values`;
    const c = text.charCodeAt(m.index);
    if (closed && (c === 0x22 || c === 0x7b || c === 0x5b)) return null;
    closed = c === 0x22 || c === 0x7d || c === 0x5d;
    switch (c) {
      case 0x22: {
        const end = closingQuote(text, m.index);
        if (end === -1) return null;
        JSON_STRUCTURE.lastIndex = end + 1;
        break;
      }
      case 0x7b:
      case 0x5b:
        if (++depth > maxDepth) return `is nested deeper than ${maxDepth} levels`;
        break;
      case 0x7d:
      case 0x5d:
        if (--depth < 0) return null;
        break;
      case 0x3a:
        if (++fields > maxFields) return `has more than ${maxFields} fields`;
        break;
      default:
        if (++commas >= maxValues) return `has more than ${maxValues} values`;
    }
  }
  return null;
}

/**
 * The structural characters a JSON value within the limits holds at most: two brackets per container (the
 * outermost and one per value), a quote per string (a field's name or a value), a colon per field, a comma per
 * value but one. Past it, a value that is JSON holds more than `maxValues` values, however it kept within the
 * other counts.
 */
function scanTokenLimit(maxFields: number, maxValues: number): number {
  return 2 * (maxValues + 1) + (maxFields + maxValues + 1) + maxFields + maxValues;
}

/**
 * The index of the quote closing the string opened at `open`, or -1: the next quote when no backslash is before
 * it (indexOf: a long plain string costs little), else a walk of the string's characters, escapes skipped.
 */
function closingQuote(text: string, open: number): number {
  const next = text.indexOf('"', open + 1);
  if (next === -1 || text.charCodeAt(next - 1) !== 0x5c) return next;
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

/** Texts shorter than this are parsed without jsonTextProblem first: their parse is cheap whatever their shape. */
export const SCAN_BEFORE_PARSE_FROM = 1_024;

/** jsonTextProblem, for texts of SCAN_BEFORE_PARSE_FROM characters or more (a send's body is ~100). */
export function preParseProblem(text: string): string | null {
  return text.length < SCAN_BEFORE_PARSE_FROM ? null : jsonTextProblem(text);
}

/**
 * A JSON text parsed within the shape limits: preParseProblem, JSON.parse, then shapeProblem. `problem`:
 * shapeProblem's words, or undefined when the text is not JSON.
 */
export function parseJsonWithin(text: string): { ok: true; value: unknown } | { ok: false; problem?: string } {
  const before = preParseProblem(text);
  if (before !== null) return { ok: false, problem: before };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  const after = shapeProblem(value);
  return after === null ? { ok: true, value } : { ok: false, problem: after };
}

/**
 * Why a form body (application/x-www-form-urlencoded) is refused before it is parsed (fast-querystring: ~1.6 ms
 * for 5,000 pairs): more than `max` fields, counted as written by its `&` separators. null when none.
 */
export function formTextProblem(body: Uint8Array, max = MAX_BODY_FIELDS): string | null {
  let fields = 1;
  for (let i = body.indexOf(0x26); i !== -1; i = body.indexOf(0x26, i + 1))
    if (++fields > max) return `has more than ${max} fields`;
  return null;
}

/** The longest problem said (the rest cut, with "…"): a field's name is the caller's and may be a megabyte long. */
const PROBLEM_MAX_CHARS = 200;

/**
 * Problems of a refused value said in one message: the first `max`, each cut at PROBLEM_MAX_CHARS, then how many
 * more (an answer stays short).
 */
export function joinProblems(problems: readonly string[], max = 10): string {
  const cut = (p: string): string => (p.length > PROBLEM_MAX_CHARS ? `${cutText(p, PROBLEM_MAX_CHARS)}…` : p);
  const shown = problems.slice(0, max).map(cut).join('; ');
  return problems.length > max ? `${shown}; and ${problems.length - max} more` : shown;
}
