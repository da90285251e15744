import type { MigrationStep } from '../migration';

/**
 * Threads and first comments (issue 14 item 4). A post group keeps the parts that follow the post
 * (`thread`, JSON `[{text}]`) and its first comment; a part's media are rows of `post_media` with
 * the part's number (0 the post itself) at positions `part * 1000 + i`, so the library's "used by"
 * and its delete guard see them. `delivery_parts` records each part a delivery published, in the
 * transaction step that learns of it, so a scheduler restarted mid-thread continues with the next
 * part and never sends one twice (0 the post itself, 1… the next parts or the first comment).
 */
export const addThreads: MigrationStep = (db) => {
  db.exec(`
      ALTER TABLE post_groups ADD COLUMN thread TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE post_groups ADD COLUMN first_comment TEXT;
      ALTER TABLE post_media ADD COLUMN part INTEGER NOT NULL DEFAULT 0;

      CREATE TABLE delivery_parts (
        delivery_id       TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        part              INTEGER NOT NULL CHECK (part >= 0),
        platform_post_id  TEXT NOT NULL,
        platform_post_url TEXT,
        published_at      TEXT NOT NULL,
        PRIMARY KEY (delivery_id, part)
      ) STRICT;

      -- What went out before threads existed: each published delivery's post is its part 0.
      INSERT INTO delivery_parts (delivery_id, part, platform_post_id, platform_post_url, published_at)
        SELECT id, 0, platform_post_id, platform_post_url, coalesce(published_at, updated_at)
        FROM deliveries WHERE state = 'published' AND platform_post_id IS NOT NULL;
    `);
};
