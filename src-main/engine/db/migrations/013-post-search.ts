import type { MigrationStep } from '../migration';

/**
 * Search over post text (issue 10 item 6, D100): an FTS5 index of each post group's text and its
 * per-account texts, kept by triggers as an external-content table over `post_groups` (the text is
 * stored once, in `post_groups`). `unicode61` with diacritics removed, so "cafe" finds "café";
 * queries are prefix terms ("rol" finds "rolls"). Existing posts are indexed by the migration.
 */
export const indexPostText: MigrationStep = (db) => {
  db.exec(`
      CREATE VIRTUAL TABLE post_text_fts USING fts5(
        text, platform_texts,
        content = 'post_groups', content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO post_text_fts (post_text_fts) VALUES ('rebuild');
      CREATE TRIGGER post_text_fts_insert AFTER INSERT ON post_groups BEGIN
        INSERT INTO post_text_fts (rowid, text, platform_texts) VALUES (new.rowid, new.text, new.platform_texts);
      END;
      CREATE TRIGGER post_text_fts_delete AFTER DELETE ON post_groups BEGIN
        INSERT INTO post_text_fts (post_text_fts, rowid, text, platform_texts)
          VALUES ('delete', old.rowid, old.text, old.platform_texts);
      END;
      CREATE TRIGGER post_text_fts_update AFTER UPDATE OF text, platform_texts ON post_groups BEGIN
        INSERT INTO post_text_fts (post_text_fts, rowid, text, platform_texts)
          VALUES ('delete', old.rowid, old.text, old.platform_texts);
        INSERT INTO post_text_fts (rowid, text, platform_texts) VALUES (new.rowid, new.text, new.platform_texts);
      END;
    `);
};
