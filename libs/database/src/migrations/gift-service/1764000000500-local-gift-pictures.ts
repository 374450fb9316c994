import { MigrationInterface, QueryRunner } from 'typeorm';
import { SEED_GIFTS } from '../1764000000001-seed-gifts-and-products';

const CDN = 'https://static.live-gift.dev';

const slugOf = (name: string): string => name.toLowerCase().replace(/\s+/g, '-');

/**
 * The seeded gifts' pictures were on a CDN that does not exist (static.live-gift.dev): every client asked an
 * unreachable host before falling back. They now point at the gateway's own files
 * (apps/web-client/public/assets/gifts/<slug>.svg, served at /assets/gifts/...), for the cover and for the
 * effect (svgaUrl: no SVGA animations are shipped; the effect is the same vector picture). Only a seeded
 * gift still carrying its seeded CDN address is changed (a gift an admin re-pointed is left alone), so the
 * migration is a no-op when run again; down() puts back the CDN addresses of the gifts it moved.
 */
export class LocalGiftPictures1764000000500 implements MigrationInterface {
  name = 'LocalGiftPictures1764000000500';

  async up(q: QueryRunner): Promise<void> {
    for (const [id, name] of SEED_GIFTS) {
      const slug = slugOf(name);
      await q.query(
        'UPDATE t_gift_config SET cover_img_url = ?, svga_url = ? WHERE gift_id = ? AND cover_img_url = ? AND svga_url = ?',
        [
          `/assets/gifts/${slug}.svg`,
          `/assets/gifts/${slug}.svg`,
          id,
          `${CDN}/gifts/${slug}.png`,
          `${CDN}/gifts/${slug}.svga`,
        ],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [id, name] of SEED_GIFTS) {
      const slug = slugOf(name);
      await q.query(
        'UPDATE t_gift_config SET cover_img_url = ?, svga_url = ? WHERE gift_id = ? AND cover_img_url = ? AND svga_url = ?',
        [
          `${CDN}/gifts/${slug}.png`,
          `${CDN}/gifts/${slug}.svga`,
          id,
          `/assets/gifts/${slug}.svg`,
          `/assets/gifts/${slug}.svg`,
        ],
      );
    }
  }
}
