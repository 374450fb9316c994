/**
 * The PK hash scripts (issue 21). Each touches ONE key (the room's PK hash, in the room's slot, where the gift
 * script moves the bar; or the sweeper's sorted set): atomic on one server and on a Cluster.
 */

/**
 * Takes the challenger seat. KEYS[1] the room's PK hash. ARGV: anchorId, challengerId, now ms, duration ms,
 * roomId, the room's last seq known to the database (t_living_pk: the hash may have expired), the TTL past
 * endsAt ms. Answers:
 *   {'new', pkId, endsAt, seq}   the seat was free (no PK, or the last one ended): a PK starts at 50, seq + 1;
 *   {'same', pkId, endsAt, seq}  the caller holds it already (a retry: the same PK);
 *   {'taken', pkId, endsAt, challengerId}  another challenger holds it;
 *   {'due', pkId}                a PK is running past its time: end it ('time'), then ask again;
 *   {'unfinished', pkId}         the last PK ended but its follow-up (PkService.finish: its row, pushes, lists)
 *                                is not done (`finished` unset): finish it, then ask again (a new PK would
 *                                overwrite the hash finish needs).
 */
export const PK_ONLINE = `
local h = redis.call('HMGET', KEYS[1], 'pkId', 'challengerId', 'endsAt', 'endReason', 'seq', 'finished')
local now = tonumber(ARGV[3])
if h[1] and h[4] == '' then
  if now > tonumber(h[3]) then return {'due', h[1]} end
  if h[2] == ARGV[2] then return {'same', h[1], tonumber(h[3]), tonumber(h[5])} end
  return {'taken', h[1], tonumber(h[3]), tonumber(h[2])}
end
if h[1] and h[6] ~= '1' then return {'unfinished', h[1]} end
local seq = math.max(tonumber(h[5] or '0'), tonumber(ARGV[6])) + 1
local pkId = 'pk-' .. ARGV[5] .. '-' .. seq
local endsAt = now + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'pkId', pkId, 'anchorId', ARGV[1], 'challengerId', ARGV[2], 'progress', 50,
  'seq', seq, 'startedAt', ARGV[3], 'endsAt', endsAt, 'endedAt', 0, 'winnerId', '', 'endReason', '', 'finished', '')
redis.call('PEXPIREAT', KEYS[1], endsAt + tonumber(ARGV[7]))
return {'new', pkId, endsAt, seq}
`;

/**
 * Ends the room's running PK, once: only the call that ends it gets 1 (and pushes 5561, completes t_living_pk).
 * KEYS[1] the room's PK hash. ARGV: reason ('time' | 'offline' | 'session'), now ms, the pkId expected ('':
 * any), the challenger expected ('': any), the ended hash's TTL s.
 * 'time' ends only a PK past its endsAt: the side the bar leans to wins (50: a draw, winner 0). 'offline' and
 * 'session' (the challenger left): the anchor wins; past endsAt they end it as 'time' (the time ran out first).
 * Answers {1, pkId, winnerId, progress, seq, anchorId, challengerId, endsAt, reason, endedAt, finished} when this
 * call ended it; {0, 'ended', pkId, endsAt, challengerId, winnerId, progress, seq, anchorId, reason, endedAt,
 * finished} when it had ended (the same end fields, so a sweep or a retried offlinePK re-runs an unfinished
 * follow-up: finished '1' once PkService.finish completed it); else {0, why, pkId, endsAt, challengerId}: why
 * 'none' (no PK), 'other' (another pkId), 'not-challenger', 'running' ('time' before endsAt).
 */
export const PK_END = `
local h = redis.call('HMGET', KEYS[1], 'pkId', 'anchorId', 'challengerId', 'progress', 'seq', 'endsAt', 'endReason',
  'winnerId', 'endedAt', 'finished')
if not h[1] then return {0, 'none'} end
if ARGV[3] ~= '' and ARGV[3] ~= h[1] then return {0, 'other', h[1], tonumber(h[6]), tonumber(h[3])} end
if h[7] ~= '' then
  return {0, 'ended', h[1], tonumber(h[6]), tonumber(h[3]), tonumber(h[8]), tonumber(h[4]), tonumber(h[5]),
    tonumber(h[2]), h[7], tonumber(h[9]), h[10] or ''}
end
if ARGV[4] ~= '' and ARGV[4] ~= h[3] then return {0, 'not-challenger', h[1], tonumber(h[6]), tonumber(h[3])} end
local now = tonumber(ARGV[2])
local progress = tonumber(h[4])
local reason = ARGV[1]
if now > tonumber(h[6]) then reason = 'time' end
if reason == 'time' and now <= tonumber(h[6]) then return {0, 'running', h[1], tonumber(h[6]), tonumber(h[3])} end
local winner = h[2]
if reason == 'time' then
  if progress < 50 then winner = h[3] elseif progress == 50 then winner = '0' end
end
local seq = tonumber(h[5]) + 1
redis.call('HSET', KEYS[1], 'seq', seq, 'winnerId', winner, 'endReason', reason, 'endedAt', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {1, h[1], tonumber(winner), progress, seq, tonumber(h[2]), tonumber(h[3]), tonumber(h[6]), reason,
  tonumber(ARGV[2]), ''}
`;

/**
 * Marks the PK's follow-up done (its row completed): a new PK may then take the room's hash. Only while the
 * hash still holds that PK, ended. KEYS[1] the room's PK hash. ARGV: pkId. Answers 1 when marked.
 */
export const PK_FINISHED = `
local h = redis.call('HMGET', KEYS[1], 'pkId', 'endReason')
if h[1] == ARGV[1] and h[2] and h[2] ~= '' then
  redis.call('HSET', KEYS[1], 'finished', '1')
  return 1
end
return 0
`;

/**
 * Releases a seat whose start could not be recorded (the t_living_pk INSERT failed): deletes the hash only
 * while it holds that PK, still running (compare-and-delete: a later PK or an end is never undone).
 * KEYS[1] the room's PK hash. ARGV: pkId. Answers 1 when released.
 */
export const PK_RELEASE = `
local h = redis.call('HMGET', KEYS[1], 'pkId', 'endReason')
if h[1] == ARGV[1] and h[2] == '' then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Lists a PK in its challenger's set (member: the pkId) and sets the set's TTL in the same call, so the key
 * never lives without one (never shortened: another PK of the set may end later). KEYS[1] the challenger's
 * set. ARGV: pkId, TTL s.
 */
export const PK_CHALLENGER_ADD = `
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 1
`;

/**
 * Drops a room from the sweeper's list once its PK ended, unless a newer PK of the room is listed (a later
 * endsAt). KEYS[1] the sorted set. ARGV: roomId, the ended PK's endsAt.
 */
export const PK_UNLIST = `
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) <= tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
`;

/** The scripts as PkService registers them (withScripts). */
export interface PkCommands {
  pkOnline(key: string, ...args: (string | number)[]): Promise<(string | number)[]>;
  pkEnd(key: string, ...args: (string | number)[]): Promise<(string | number)[]>;
  pkUnlist(key: string, roomId: number, endsAt: number): Promise<number>;
  pkFinished(key: string, pkId: string): Promise<number>;
  pkRelease(key: string, pkId: string): Promise<number>;
  pkChallengerAdd(key: string, pkId: string, ttlSeconds: number): Promise<number>;
}
