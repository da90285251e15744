import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ErrorCode } from '../src-shared/errors';
import { AppError } from './engine/kernel/errors';

/**
 * The `postroom` command line's arguments (SPEC §11) as data: each command's options, what each
 * one is, and its usage line. Every mistake in them becomes a `UsageError` that names the option
 * and says what to type instead (issue 10, item 1), never Node's own parser message.
 */
interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** The placeholder in usage lines: `--data-dir DIR`. */
  readonly value?: string;
  readonly required?: boolean;
  /** What the option is, in the words of the sentence that asks for it. */
  readonly what: string;
  /** A value a person could type, shown when theirs is missing or wrong. */
  readonly example?: string;
}

const dataDir: OptionSpec = {
  type: 'string',
  value: 'DIR',
  required: true,
  what: 'the folder Postroom keeps its data in',
  example: '~/postroom-data',
};
const port = (what: string): OptionSpec => ({ type: 'string', value: 'N', what, example: '0 (any free port)' });

export const commandOptions = {
  init: {
    'data-dir': dataDir,
    workspace: { type: 'string', value: 'NAME', required: true, what: 'the workspace name', example: '"Acme Agency"' },
    'owner-email': {
      type: 'string',
      value: 'EMAIL',
      required: true,
      what: "the owner's email address",
      example: 'you@agency.com',
    },
    'owner-name': { type: 'string', value: 'NAME', what: "the owner's name", example: '"Ada Lovelace"' },
    plan: { type: 'string', value: 'free|team|enterprise', what: 'the plan', example: 'team' },
    json: { type: 'boolean', what: 'print JSON for scripts' },
  },
  serve: {
    'data-dir': dataDir,
    'ui-port': port('the port of the browser UI'),
    'api-port': port('the port of the REST API'),
  },
  backup: {
    'data-dir': dataDir,
    to: { type: 'string', value: 'FILE', required: true, what: 'the backup file to write', example: 'backup.sqlite' },
  },
  restore: {
    'data-dir': dataDir,
    from: {
      type: 'string',
      value: 'FILE',
      required: true,
      what: 'the backup file to read (or --latest-backup for the newest automatic backup)',
      example: 'backup.sqlite',
    },
    'latest-backup': { type: 'boolean', what: 'the newest sound automatic backup, after a damaged database' },
  },
  'admin-key': {
    'data-dir': dataDir,
    regenerate: {
      type: 'boolean',
      what: 'a new install admin key, when the keychain lost it (the old one stops working)',
    },
  },
  'reset-password': {
    'data-dir': dataDir,
    profile: {
      type: 'string',
      value: 'EMAIL',
      required: true,
      what: 'the email of the profile whose password is forgotten',
      example: 'you@agency.com',
    },
  },
  host: {
    'data-dir': dataDir,
    'public-url': {
      type: 'string',
      value: 'URL',
      required: true,
      what: 'the https:// address people and desks open',
      example: 'https://postroom.agency.example',
    },
    listen: {
      type: 'string',
      value: 'ADDR:PORT',
      required: true,
      what: 'the address and port to listen on',
      example: '0.0.0.0:8443',
    },
    'tls-cert': { type: 'string', value: 'FILE', what: 'the TLS certificate chain (PEM)', example: 'fullchain.pem' },
    'tls-key': { type: 'string', value: 'FILE', what: 'the TLS private key (PEM)', example: 'privkey.pem' },
    'behind-proxy': { type: 'boolean', what: 'a reverse proxy in front terminates TLS' },
    'trusted-proxy': {
      type: 'string',
      value: 'ADDR[,ADDR]',
      what: 'the proxies whose X-Forwarded-For is believed (loopback always is)',
      example: '10.0.0.2',
    },
    'secrets-key-file': {
      type: 'string',
      value: 'FILE',
      what: 'the key file that seals the secrets when there is no OS keychain',
      example: '/etc/postroom/secrets.key',
    },
    'secrets-credential': {
      type: 'string',
      value: 'NAME',
      what: 'the systemd credential that holds that key',
      example: 'postroom-secrets',
    },
    workspace: { type: 'string', value: 'NAME', what: 'the workspace name (first start)', example: '"Acme Agency"' },
    'owner-email': {
      type: 'string',
      value: 'EMAIL',
      what: "the owner's email address (first start)",
      example: 'you@agency.com',
    },
    'owner-name': { type: 'string', value: 'NAME', what: "the owner's name (first start)", example: '"Ada Lovelace"' },
  },
} as const satisfies Record<string, Record<string, OptionSpec>>;

export type CommandName = keyof typeof commandOptions;
export const commandNames = Object.keys(commandOptions) as CommandName[];

const commandWhat: Record<CommandName, string> = {
  init: 'first-run setup of a data folder; prints the workspace API key once',
  serve: 'runs Postroom (engine, scheduler, REST API and the browser UI) until Ctrl+C',
  backup: 'an online backup of the data folder into FILE',
  restore: 'puts a backup back into the data folder (the current data is backed up first)',
  'admin-key': 'prints the install admin key (for POST /api/workspaces/add)',
  'reset-password':
    'sets a new password for a profile (read from the terminal, or the first line of stdin); ' +
    'run it where the data is, with Postroom stopped',
  host: 'runs the team host (engine, the only scheduler, REST API, client pages, desk endpoints) on its public URL',
};

function optionUsage(name: string, spec: OptionSpec): string {
  const text = spec.value ? `--${name} ${spec.value}` : `--${name}`;
  return spec.required ? text : `[${text}]`;
}

/** Where one option stands in for another, the usage line says so. */
const usageOverride: Partial<Record<CommandName, string>> = {
  restore: 'postroom restore --data-dir DIR (--from FILE | --latest-backup)',
  host:
    'postroom host --data-dir DIR --public-url URL --listen ADDR:PORT ' +
    '(--tls-cert FILE --tls-key FILE | --behind-proxy [--trusted-proxy ADDR[,ADDR]])\n' +
    '        [--secrets-key-file FILE | --secrets-credential NAME] ' +
    '[--workspace NAME --owner-email EMAIL [--owner-name NAME] (first start)]',
};

/** `postroom serve --data-dir DIR [--ui-port N] [--api-port N]` */
export function usageOf(command: CommandName): string {
  const specs: Record<string, OptionSpec> = commandOptions[command];
  return (
    usageOverride[command] ??
    ['postroom', command, ...Object.entries(specs).map(([name, spec]) => optionUsage(name, spec))].join(' ')
  );
}

export const USAGE = `Usage: postroom <command> [options]\n\n${commandNames
  .map((c) => `  ${usageOf(c)}\n      ${commandWhat[c]}`)
  .join('\n')}\n\nIn a checkout: npm run postroom -- <command> [options]\n`;

/** A mistake in the command line itself: the person retypes it (exit code 2, as getopt tools do). */
export class UsageError extends AppError {
  constructor(code: ErrorCode, message: string, fix: string, details: Record<string, unknown> = {}) {
    super(code, message, { ...details, fix });
    this.name = 'UsageError';
  }
}

const quoted = (message: string) => /'(-?-?[^' ]+)/.exec(message)?.[1] ?? '';

/** Node's parseArgs failures, reworded per code: the option it is about, and what to type. */
function usageErrorOf(command: CommandName, err: Error & { code?: string }): UsageError {
  const usage = `Usage: ${usageOf(command)}`;
  const specs: Record<string, OptionSpec> = commandOptions[command];
  const token = quoted(err.message);
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const near = Object.keys(specs).find((name) => name.startsWith(token.replace(/^-+/, '').split('=')[0] ?? ''));
      return new UsageError(
        'validation_failed',
        `postroom ${command} has no option ${token}.`,
        near && token.length > 2 ? `Did you mean --${near}? ${usage}` : `Check the spelling. ${usage}`,
        { option: token },
      );
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = token.replace(/^-+/, '');
      const spec = specs[name];
      if (spec?.type === 'boolean')
        return new UsageError('validation_failed', `--${name} takes no value.`, `Write just --${name}. ${usage}`, {
          option: name,
        });
      return new UsageError(
        'parameter_missing',
        `--${name} needs a value: ${spec?.what ?? 'its value'}.`,
        `Write it after the option, e.g. --${name} ${spec?.example ?? spec?.value ?? 'VALUE'}. ${usage}`,
        { fields: { [name]: 'required' } },
      );
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(
        'validation_failed',
        `postroom ${command} does not take "${token}" on its own.`,
        `Every value follows its option's name (e.g. --data-dir ${token}). ${usage}`,
        { argument: token },
      );
    default:
      return new UsageError('validation_failed', `The options of postroom ${command} could not be read.`, usage);
  }
}

/** The command's options, strictly: unknown options, missing values and stray words are refused. */
export function parseCommandArgs<C extends CommandName>(
  command: C,
  args: string[],
): Record<keyof (typeof commandOptions)[C], string | boolean | undefined> {
  const specs: Record<string, OptionSpec> = commandOptions[command];
  const options = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.type }]));
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return values as Record<keyof (typeof commandOptions)[C], string | boolean | undefined>;
  } catch (err) {
    if (err instanceof Error && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS'))
      throw usageErrorOf(command, err);
    throw err;
  }
}

/** A required option's value; missing or empty, the person is told what it is and how to write it. */
export function requiredOption(command: CommandName, values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value === 'string' && value.trim() !== '') return value;
  const spec = (commandOptions[command] as Record<string, OptionSpec>)[name];
  throw new UsageError(
    'parameter_missing',
    `postroom ${command} needs --${name}: ${spec?.what ?? 'a value'}.`,
    `Add --${name} ${spec?.example ?? spec?.value ?? 'VALUE'}. Usage: ${usageOf(command)}`,
    { fields: { [name]: 'required' } },
  );
}

/** A port option: absent is 0 (any free port). */
export function portOption(value: unknown, name: string): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  throw new UsageError(
    'validation_failed',
    `--${name} must be a port number from 0 to 65535, not "${String(value)}".`,
    `For example --${name} 8080; 0 picks any free port.`,
    { fields: { [name]: 'port' } },
  );
}

/**
 * A data folder that must already exist (every command but `init`, which creates one): a typo
 * must not quietly start an empty Postroom or restore into a new, unintended place.
 */
export function existingDataDir(command: CommandName, value: string): string {
  const dir = resolve(value);
  if (!existsSync(dir))
    throw new AppError('not_found', `There is no folder ${dir}.`, {
      fix:
        command === 'restore'
          ? `Check the path, or create the folder (mkdir -p ${dir}) and run restore again.`
          : 'Check the path, or set up a new data folder there: ' +
            `postroom init --data-dir ${dir} --workspace NAME --owner-email EMAIL`,
    });
  if (!statSync(dir).isDirectory())
    throw new AppError('validation_failed', `${dir} is a file, not a folder.`, {
      fix: 'Give --data-dir the folder that holds postroom.sqlite, not a file.',
    });
  return dir;
}

/** A file to be written: its folder must exist. */
export function writableFilePath(value: string): string {
  const file = resolve(value);
  if (!existsSync(dirname(file)))
    throw new AppError('not_found', `There is no folder ${dirname(file)} to write ${file} into.`, {
      fix: `Create it (mkdir -p ${dirname(file)}) or choose a file in a folder that exists.`,
    });
  return file;
}
