import { CreateSchema1764000000000 } from './1764000000000-create-schema';
import { SeedGiftsAndProducts1764000000001 } from './1764000000001-seed-gifts-and-products';
import { TradeRequestFingerprint1764000000010 } from './1764000000010-trade-request-fingerprint';

export { SEED_GIFTS, SEED_PRODUCTS } from './1764000000001-seed-gifts-and-products';

/** Every migration, in order (listed explicitly: no glob that a build layout could break). */
export const MIGRATIONS = [CreateSchema1764000000000, SeedGiftsAndProducts1764000000001, TradeRequestFingerprint1764000000010];
