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
 *   {'due', pkId}                a PK is running past its time: end it ('time'), then ask again.
 */
export const PK_ONLINE = `
local h = redis.call('HMGET', KEYS[1], 'pkId', 'challengerId', 'endsAt', 'endReason', 'seq')
local now = tonumber(ARGV[3])
if h[1] and h[4] == '' then
  if now > tonumber(h[3]) then return {'due', h[1]} end
  if h[2] == ARGV[2] then return {'same', h[1], tonumber(h[3]), tonumber(h[5])} end
  return {'taken', h[1], tonumber(h[3]), tonumber(h[2])}
end
local seq = math.max(tonumber(h[5] or '0'), tonumber(ARGV[6])) + 1
local pkId = 'pk-' .. ARGV[5] .. '-' .. seq
local endsAt = now + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'pkId', pkId, 'anchorId', ARGV[1], 'challengerId', ARGV[2], 'progress', 50,
  'seq', seq, 'startedAt', ARGV[3], 'endsAt', endsAt, 'endedAt', 0, 'winnerId', '', 'endReason', '')
redis.call('PEXPIREAT', KEYS[1], endsAt + tonumber(ARGV[7]))
return {'new', pkId, endsAt, seq}
`;

/**
 * Ends the room's running PK, once: only the call that ends it gets 1 (and pushes 5561, completes t_living_pk).
 * KEYS[1] the room's PK hash. ARGV: reason ('time' | 'offline' | 'session'), now ms, the pkId expected ('':
 * any), the challenger expected ('': any), the ended hash's TTL s.
 * 'time' ends only a PK past its endsAt: the side the bar leans to wins (50: a draw, winner 0). 'offline' and
 * 'session' (the challenger left): the anchor wins; past endsAt they end it as 'time' (the time ran out first).
 * Answers {1, pkId, winnerId, progress, seq, anchorId, challengerId, endsAt, reason} when this call ended it,
 * else {0, why, pkId, endsAt, challengerId}: why 'none' (no PK), 'ended' (already), 'other' (another pkId),
 * 'not-challenger', 'running' ('time' before endsAt).
 */
export const PK_END = `
local h = redis.call('HMGET', KEYS[1], 'pkId', 'anchorId', 'challengerId', 'progress', 'seq', 'endsAt', 'endReason')
if not h[1] then return {0, 'none'} end
if h[7] ~= '' then return {0, 'ended', h[1], tonumber(h[6]), tonumber(h[3])} end
if ARGV[3] ~= '' and ARGV[3] ~= h[1] then return {0, 'other', h[1], tonumber(h[6]), tonumber(h[3])} end
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
return {1, h[1], tonumber(winner), progress, seq, tonumber(h[2]), tonumber(h[3]), tonumber(h[6]), reason}
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
