import { SEED_GIFTS } from '@live/database';

/** A seeded gift by its name: its id and price (coins). */
export function seedGift(name: string): { id: number; price: number } {
  const found = SEED_GIFTS.find(([, n]) => n === name);
  if (!found) throw new Error(`no seeded gift named ${name}`);
  const [id, , price] = found;
  return { id, price };
}
