import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../kernel/errors';
import type { SecretStore } from './secret-store';

/**
 * Secrets on a headless team host without an OS keychain (issue 12 item 1): one file in the data
 * folder, `secrets.enc`, each secret sealed with AES-256-GCM under a key derived (HKDF-SHA256, a
 * random salt per file) from key material the operator keeps *outside* the data folder: a key file
 * (`--secrets-key-file`) or a systemd credential (`--secrets-credential`, read from
 * `$CREDENTIALS_DIRECTORY`). Never plaintext: without the key the file is useless, and a backup of
 * the data folder carries no usable secret.
 *
 * Each entry's account name is its additional authenticated data, so sealed values cannot be moved
 * between accounts; a "check" entry sealed at creation tells a wrong key at open, before any use.
 * Writes replace the file atomically (a private temporary file, fsync, rename).
 */

export const SECRETS_FILE = 'secrets.enc';
/** Key material shorter than this is refused: 32 random bytes (`openssl rand -base64 32`) or more. */
export const MIN_KEY_MATERIAL_BYTES = 32;
const INFO = Buffer.from('postroom secret store v1');
const CHECK_ACCOUNT = '\u0000check';

const Sealed = z.object({ iv: z.base64(), tag: z.base64(), data: z.base64() });
type Sealed = z.infer<typeof Sealed>;
const StoreFile = z.object({
  format: z.literal('postroom-secrets'),
  version: z.literal(1),
  salt: z.base64(),
  check: Sealed,
  entries: z.record(z.string(), Sealed),
});
type StoreFile = z.infer<typeof StoreFile>;

/** Where the key material comes from, as the command line named it. */
export type SecretsKeySource = { kind: 'file'; path: string } | { kind: 'credential'; name: string };

function keyProblem(message: string, fix: string): AppError {
  return new AppError('secrets_key_invalid', message, { fix });
}

/**
 * Reads the key material. The file must be readable by its owner only (as ssh insists for its keys):
 * a key that any user of the machine can read protects nothing.
 */
export function readKeyMaterial(source: SecretsKeySource, env: NodeJS.ProcessEnv = process.env): Buffer {
  let path: string;
  if (source.kind === 'credential') {
    const dir = env.CREDENTIALS_DIRECTORY;
    if (!dir)
      throw keyProblem(
        `The systemd credential "${source.name}" cannot be read: CREDENTIALS_DIRECTORY is not set.`,
        `Run postroom host as a systemd service with LoadCredential=${source.name}:/path/to/key ` +
          '(or LoadCredentialEncrypted=), or give --secrets-key-file instead.',
      );
    path = join(dir, source.name);
  } else path = source.path;
  if (!existsSync(path))
    throw keyProblem(
      `The secrets key file ${path} does not exist.`,
      `Create one outside the data folder: openssl rand -base64 32 > ${path} && chmod 600 ${path}`,
    );
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0)
    throw keyProblem(
      `The secrets key file ${path} can be read by other users of this machine (mode ${mode.toString(8)}).`,
      `Make it private: chmod 600 ${path}`,
    );
  const material = Buffer.from(readFileSync(path).toString('latin1').trim(), 'latin1');
  if (material.length < MIN_KEY_MATERIAL_BYTES)
    throw keyProblem(
      `The secrets key in ${path} is too short ` +
        `(${material.length} bytes; at least ${MIN_KEY_MATERIAL_BYTES} are needed).`,
      `Make a new one: openssl rand -base64 32 > ${path} && chmod 600 ${path}`,
    );
  return material;
}

export class EncryptedFileSecretStore implements SecretStore {
  readonly kind = 'encrypted-file' as const;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly key: Buffer,
    private contents: StoreFile,
  ) {}

  /**
   * Opens (or creates) the data folder's sealed secrets with the given key material. A file sealed
   * with another key is refused with `secrets_key_invalid`, and nothing is changed.
   */
  static open(dataDir: string, keyMaterial: Buffer): EncryptedFileSecretStore {
    const file = join(dataDir, SECRETS_FILE);
    if (!existsSync(file)) {
      const salt = randomBytes(32);
      const key = deriveKey(keyMaterial, salt);
      const store = new EncryptedFileSecretStore(file, key, {
        format: 'postroom-secrets',
        version: 1,
        salt: salt.toString('base64'),
        check: seal(key, CHECK_ACCOUNT, randomBytes(16).toString('base64')),
        entries: {},
      });
      store.persist();
      return store;
    }
    const parsed = StoreFile.safeParse(safeJson(readFileSync(file, 'utf8')));
    if (!parsed.success)
      throw keyProblem(
        `${file} is not a Postroom secrets file (it may be damaged).`,
        'Restore it from the backup you keep beside the key, or move it away to start with no stored secrets ' +
          '(connections must then be made again).',
      );
    const key = deriveKey(keyMaterial, Buffer.from(parsed.data.salt, 'base64'));
    if (unseal(key, CHECK_ACCOUNT, parsed.data.check) === null)
      throw keyProblem(
        `The secrets key does not open ${file}: it was sealed with another key.`,
        'Give the key this data folder was first started with (--secrets-key-file or --secrets-credential).',
      );
    return new EncryptedFileSecretStore(file, key, parsed.data);
  }

  async get(account: string): Promise<string | null> {
    const sealed = this.contents.entries[account];
    if (!sealed) return null;
    const value = unseal(this.key, account, sealed);
    if (value === null) throw new AppError('internal', `the sealed secret for ${account} does not open`);
    return value;
  }

  async set(account: string, secret: string): Promise<void> {
    await this.change((entries) => ({ ...entries, [account]: seal(this.key, account, secret) }));
  }

  async delete(account: string): Promise<boolean> {
    const had = account in this.contents.entries;
    if (had)
      await this.change((entries) => {
        const { [account]: _gone, ...rest } = entries;
        return rest;
      });
    return had;
  }

  /** The file is always readable and writable while the key is held: nothing here locks. */
  async usable(): Promise<boolean> {
    return true;
  }

  /** Changes run one after another, each writing the whole file atomically. */
  private change(edit: (entries: StoreFile['entries']) => StoreFile['entries']): Promise<void> {
    const next = this.writing.then(() => {
      this.contents = { ...this.contents, entries: edit(this.contents.entries) };
      this.persist();
    });
    this.writing = next.catch(() => {});
    return next;
  }

  private persist(): void {
    const temporary = `${this.file}.tmp-${process.pid}`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(this.contents));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
  }
}

function deriveKey(material: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', material, salt, INFO, 32));
}

function seal(key: Buffer, account: string, value: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(account, 'utf8'));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function unseal(key: Buffer, account: string, sealed: Sealed): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(account, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
