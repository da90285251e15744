import { storeBytesSync } from '../../files/store';
import { newId } from '../../kernel/ids';
import type { MigrationStep } from '../migration';

/**
 * The media library (issue 14 item 2): files content-addressed in the data folder
 * (`media/<aa>/<sha256>`), the database holding what they are and who uses them. Images that
 * posts kept as BLOBs in `post_media` move out into the folder, one library item per client and
 * file; they are probed (dimensions, thumbnail) at the next start, since probing is asynchronous
 * and a migration runs inside one transaction. A file written by a migration that then fails is
 * harmless: it is named by its bytes, the rerun finds it, and an unreferenced file is swept.
 */
export const moveMediaIntoLibrary: MigrationStep = (db, { dataDir }) => {
  db.exec(`
      CREATE TABLE media (
        id               TEXT PRIMARY KEY,
        workspace_id     TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        managed_user_id  TEXT NOT NULL REFERENCES managed_users(id),
        sha256           TEXT NOT NULL,                 -- the file: media/<first two>/<sha256>
        kind             TEXT NOT NULL CHECK (kind IN ('image', 'video')),
        mime_type        TEXT NOT NULL,
        size             INTEGER NOT NULL,
        width            INTEGER,                       -- as shown (EXIF orientation applied)
        height           INTEGER,
        duration_ms      INTEGER,                       -- videos
        codec            TEXT,                          -- videos: H.264, HEVC
        audio_codec      TEXT,                          -- videos with sound: AAC
        animated         INTEGER NOT NULL DEFAULT 0,
        file_name        TEXT NOT NULL DEFAULT '',
        alt_text         TEXT NOT NULL DEFAULT '',
        thumbnail_sha256 TEXT,                          -- a JPEG in the same store
        probed           INTEGER NOT NULL DEFAULT 1,    -- 0: moved here by this migration, probed at the next start
        derived_from     TEXT REFERENCES media(id) ON DELETE SET NULL,   -- a crop of another item
        created_at       TEXT NOT NULL,
        created_by       TEXT,
        UNIQUE (managed_user_id, sha256)
      ) STRICT;
      CREATE INDEX media_by_client ON media (managed_user_id, created_at);
      CREATE INDEX media_by_file ON media (sha256);
      CREATE INDEX media_by_thumbnail ON media (thumbnail_sha256);

      -- A post's media, in order: references into the library, never copies. No cascade from
      -- media: an item a post uses cannot be deleted.
      CREATE TABLE post_media_refs (
        post_group_id TEXT NOT NULL REFERENCES post_groups(id) ON DELETE CASCADE,
        position      INTEGER NOT NULL,
        media_id      TEXT NOT NULL REFERENCES media(id),
        PRIMARY KEY (post_group_id, position)
      ) STRICT;

      -- Uploads in progress: the bytes so far are in media/incoming/<id>, whose length says how
      -- far it got (an upload that was cut off resumes from there).
      CREATE TABLE media_uploads (
        id              TEXT PRIMARY KEY,
        workspace_id    TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        managed_user_id TEXT NOT NULL REFERENCES managed_users(id),
        file_name       TEXT NOT NULL,
        size            INTEGER NOT NULL,
        alt_text        TEXT NOT NULL DEFAULT '',
        created_at      TEXT NOT NULL,
        created_by      TEXT,
        expires_at      TEXT NOT NULL
      ) STRICT;
    `);

  const ids = db
    .prepare(
      `SELECT m.id FROM post_media m JOIN post_groups g ON g.id = m.post_group_id ORDER BY m.post_group_id, m.position`,
    )
    .pluck()
    .all() as string[];
  const read = db.prepare<
    [string],
    {
      post_group_id: string;
      position: number;
      mime_type: string;
      size: number;
      alt_text: string;
      data: Buffer;
      workspace_id: string;
      managed_user_id: string;
      created_at: string;
      created_by: string | null;
    }
  >(
    `SELECT m.post_group_id, m.position, m.mime_type, m.size, m.alt_text, m.data, g.workspace_id, g.managed_user_id, g.created_at, g.created_by
       FROM post_media m JOIN post_groups g ON g.id = m.post_group_id WHERE m.id = ?`,
  );
  const existing = db.prepare<[string, string], { id: string; alt_text: string }>(
    `SELECT id, alt_text FROM media WHERE managed_user_id = ? AND sha256 = ?`,
  );
  const insert = db.prepare(
    `INSERT INTO media (id, workspace_id, managed_user_id, sha256, kind, mime_type, size, alt_text, probed, created_at, created_by)
       VALUES (?, ?, ?, ?, 'image', ?, ?, ?, 0, ?, ?)`,
  );
  const setAlt = db.prepare(`UPDATE media SET alt_text = ? WHERE id = ?`);
  const refer = db.prepare(`INSERT INTO post_media_refs (post_group_id, position, media_id) VALUES (?, ?, ?)`);
  // One row at a time: a database full of images is never held in memory at once.
  for (const id of ids) {
    const row = read.get(id)!;
    const sha256 = storeBytesSync(dataDir, row.data);
    let mediaId = existing.get(row.managed_user_id, sha256)?.id;
    if (!mediaId) {
      mediaId = newId('med');
      insert.run(
        mediaId,
        row.workspace_id,
        row.managed_user_id,
        sha256,
        row.mime_type,
        row.data.length,
        row.alt_text,
        row.created_at,
        row.created_by,
      );
    } else if (row.alt_text && !existing.get(row.managed_user_id, sha256)!.alt_text) {
      setAlt.run(row.alt_text, mediaId);
    }
    refer.run(row.post_group_id, row.position, mediaId);
  }
  db.exec(`
      DROP TABLE post_media;
      ALTER TABLE post_media_refs RENAME TO post_media;
      CREATE INDEX post_media_by_media ON post_media (media_id);
    `);
};
