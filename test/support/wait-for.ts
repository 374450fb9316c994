/**
 * Polls `check` every `everyMs` (50 by default) until it holds; throws naming `what` after `timeoutMs`. A check
 * through a rate-limited route polls within its limit (`/bank/earnings`: 100 per 10 s, so 250 ms).
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Waits until `expected` of these request ids have their gift record. The record is written after the
 * effect is pushed (a record means "applied and pushed"), so a test that saw the push or the charge has to
 * wait for it before reading t_gift_record.
 */
export async function waitForGiftRecords(
  db: { query: (sql: string, params: unknown[]) => Promise<unknown> },
  requestIds: string[],
  expected = requestIds.length,
): Promise<void> {
  await waitFor(`${expected} gift record(s) written`, async () => {
    const rows = (await db.query('SELECT COUNT(*) AS n FROM t_gift_record WHERE request_id IN (?)', [requestIds])) as {
      n: number | string;
    }[];
    return Number(rows[0].n) >= expected;
  });
}
