/**
 * The first `max` UTF-16 units of `text`, one fewer when the cut would split a surrogate pair (a lone half is
 * written as U+FFFD, or an escape a reader takes for garbage): for the cuts of untrusted text kept in logs and
 * parked records.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
