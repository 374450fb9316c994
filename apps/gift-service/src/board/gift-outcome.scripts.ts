/** The Lua scripts of GiftOutcomeService (each on the keys of one Cluster slot). */

/**
 * Step 1, keyed by the request ids: each request id's one outcome record, in its own hash tag (so on a
 * Cluster one call per slot, mostly one per request id; on one server one call for many).
 *   KEYS: the outcome hashes. ARGV: outcome TTL s; then per key i (from 1): ARGV[2i] roomId, ARGV[2i+1]
 *   fingerprint.
 * The first delivery writes its room and fingerprint; every later one (any room) gets them back, with
 * whether the push was done. The caller compares the fingerprint: another one is a reused id. Answers 3
 * values per key, in order: room, fingerprint, pushed (0 or 1).
 */
export const CLAIM_OUTCOME = `
local out = {}
for i, key in ipairs(KEYS) do
  local known = redis.call('HMGET', key, 'room', 'fp', 'pushed')
  if known[1] then
    out[#out + 1] = known[1]
    out[#out + 1] = known[2] or ''
    out[#out + 1] = tonumber(known[3]) or 0
  else
    redis.call('HSET', key, 'room', ARGV[2 * i], 'fp', ARGV[2 * i + 1], 'pushed', 0)
    redis.call('EXPIRE', key, ARGV[1])
    out[#out + 1] = ARGV[2 * i]
    out[#out + 1] = ARGV[2 * i + 1]
    out[#out + 1] = 0
  end
end
return out
`;

/** Values CLAIM_OUTCOME answers per key. */
export const CLAIM_ANSWER_WIDTH = 3;

/**
 * Step 2, for the charged gifts of claimed request ids in ONE room (the room step 1 recorded; keys of one
 * room: one Cluster slot), in order, each at most once per request id:
 *   KEYS[1] the room's board, KEYS[2] the room's PK hash (issue 21; read only for a gift naming a pkId); then
 *   per gift j (from 0): KEYS[3+2j] its applied marker in the room, KEYS[4+2j] its sender's combo state.
 *   ARGV: combo window ms, applied-marker TTL s, combo TTL s, board TTL s, board members kept, PK coins per
 *   point, PK max step, an ended PK's TTL s, now ms; then per gift j: ARGV[10+6j..15+6j] giftId, sendTime ms,
 *   amount (price x count), senderId, receiverId, pkId ('' for none).
 * combo = previous + 1 when the sender's previous gift in the room was the same gift sent at most `window`
 * ms earlier (by send time), else 1 (it counts sends: a send of 10 gifts is one); the board adds the amount
 * to the sender. The PK bar (README "PK battles"): a gift naming the room's running PK (same pkId, not ended,
 * sent by its endsAt) to its anchor or challenger moves the bar min(max step, ceil(amount / coins per point))
 * toward 100 (anchor) or 0 (challenger), clamped; seq + 1; a bound reached ends the PK (winner, 'bound').
 * The applied marker keeps what the gift did (combo, and for a bar move: step, progress, seq, ended, anchor,
 * challenger, endsAt): applied before, the same answer, nothing changes (a redelivery never moves the bar
 * twice). Answers 8 numbers per gift in order: combo, step (signed, 0: none), progress, seq, ended (1: this
 * gift ended the PK), anchorId, challengerId, endsAt. The board lives `board TTL` past the room's last gift
 * (a room silent that long ended its session) and keeps its top `members` senders.
 */
export const APPLY_IN_ROOM = `
local window = tonumber(ARGV[1])
local perPoint, maxStep = tonumber(ARGV[6]), tonumber(ARGV[7])
local out = {}
local boarded = false
local pk = nil
for j = 0, (#KEYS - 2) / 2 - 1 do
  local applied, state, a = KEYS[3 + 2 * j], KEYS[4 + 2 * j], 10 + 6 * j
  local known = redis.call('GET', applied)
  if known then
    local fields = {}
    for v in string.gmatch(known, '[^:]+') do fields[#fields + 1] = tonumber(v) end
    for k = 1, 8 do out[#out + 1] = fields[k] or 0 end
  else
    local combo = 1
    local last = redis.call('HMGET', state, 'gift', 'time', 'combo')
    local t = tonumber(ARGV[a + 1])
    if last[1] == ARGV[a] and last[2] and t >= tonumber(last[2]) and t - tonumber(last[2]) <= window then
      combo = tonumber(last[3]) + 1
    end
    redis.call('HSET', state, 'gift', ARGV[a], 'time', ARGV[a + 1], 'combo', combo)
    redis.call('EXPIRE', state, ARGV[3])
    redis.call('ZINCRBY', KEYS[1], ARGV[a + 2], ARGV[a + 3])
    local moved = nil
    if ARGV[a + 5] ~= '' then
      if not pk then
        pk = redis.call('HMGET', KEYS[2], 'pkId', 'anchorId', 'challengerId', 'progress', 'seq', 'endsAt', 'endReason')
      end
      if pk[1] == ARGV[a + 5] and pk[7] == '' and t <= tonumber(pk[6]) then
        local dir = 0
        if ARGV[a + 4] == pk[2] then dir = 1 elseif ARGV[a + 4] == pk[3] then dir = -1 end
        if dir ~= 0 then
          local before = tonumber(pk[4])
          local after = math.max(0, math.min(100, before + dir * math.min(maxStep, math.ceil(tonumber(ARGV[a + 2]) / perPoint))))
          local seq = tonumber(pk[5]) + 1
          local ended = 0
          pk[4] = tostring(after)
          pk[5] = tostring(seq)
          if after >= 100 or after <= 0 then
            ended = 1
            pk[7] = 'bound'
            local winner = pk[3]
            if after >= 100 then winner = pk[2] end
            redis.call('HSET', KEYS[2], 'progress', after, 'seq', seq, 'winnerId', winner, 'endReason', 'bound', 'endedAt', ARGV[9])
            redis.call('EXPIRE', KEYS[2], ARGV[8])
          else
            redis.call('HSET', KEYS[2], 'progress', after, 'seq', seq)
          end
          moved = {combo, after - before, after, seq, ended, pk[2], pk[3], pk[6]}
        end
      end
    end
    if moved then
      redis.call('SET', applied, table.concat(moved, ':'), 'EX', ARGV[2])
    else
      redis.call('SET', applied, combo, 'EX', ARGV[2])
      moved = {combo, 0, 0, 0, 0, 0, 0, 0}
    end
    for k = 1, 8 do out[#out + 1] = moved[k] end
    boarded = true
  end
end
if boarded then
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[5]) - 1)
end
return out
`;

/** Numbers APPLY_IN_ROOM answers per gift. */
export const APPLY_ANSWER_WIDTH = 8;

/**
 * Marks gifts done (pushed, and recorded when charged), each only while its outcome exists (never recreates
 * an expired one), and cuts their life to the redelivery window. KEYS: outcome hashes (one per Cluster slot,
 * as CLAIM_OUTCOME). ARGV: the window s (0: their life unchanged). Answers how many it marked.
 */
export const MARK_PUSHED = `local marked = 0
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('HSET', key, 'pushed', 1)
    if ARGV[1] ~= '0' then redis.call('EXPIRE', key, ARGV[1]) end
    marked = marked + 1
  end
end
return marked`;

/** Cuts the applied markers of done gifts (KEYS, one room) to the redelivery window. ARGV: the window s. */
export const RELEASE_APPLIED = `for _, key in ipairs(KEYS) do redis.call('EXPIRE', key, ARGV[1]) end
return #KEYS`;
