import type { RefusedChange } from '../../src-shared/contract';
import { AppError } from '../engine/kernel/errors';
import type { RefusedItem } from './outbox';

/*
 * A refused change as a person sees it (issue 12 item 4; D119): what it was, in words, and the parts
 * of it they may edit before sending it again. Data, by channel: the changes people make on a desk
 * while the host is away. Any other change is named by its kind and can only be discarded.
 */

type Request = Record<string, unknown>;

interface Editable {
  /** The change in words, from its request. */
  readonly what: (request: Request) => string;
  /** Request paths (dot-separated) a person may edit, with their labels. */
  readonly fields: readonly { readonly name: string; readonly label: string }[];
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const at = (request: Request, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Request)[key] : undefined), request);
const excerpt = (value: unknown, max = 60) => {
  const t = text(value).replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

export const EDITABLE_CHANGES: Readonly<Record<string, Editable>> = {
  'client.create': {
    what: (r) => `New client ${text(at(r, 'client.displayName'))} (${text(at(r, 'client.email'))})`,
    fields: [
      { name: 'client.displayName', label: 'Display name' },
      { name: 'client.email', label: 'Email' },
    ],
  },
  'client.update': {
    what: (r) => `Changes to the client ${text(at(r, 'patch.displayName')) || 'you edited'}`,
    fields: [
      { name: 'patch.displayName', label: 'Display name' },
      { name: 'patch.email', label: 'Email' },
    ],
  },
  'post.create': {
    what: (r) => `New post “${excerpt(at(r, 'post.text'))}”`,
    fields: [{ name: 'post.text', label: 'Text' }],
  },
  'post.update': {
    what: (r) =>
      text(at(r, 'patch.text')) ? `Edit of the post “${excerpt(at(r, 'patch.text'))}”` : 'A change to a post',
    fields: [{ name: 'patch.text', label: 'Text' }],
  },
};

/** Kinds of change without an editable form, in words. */
const CHANGE_NAMES: Readonly<Record<string, string>> = {
  post: 'A change to a post',
  client: 'A change to a client',
  connection: 'A change to a connection',
  team: 'A change to the team',
  workspace: 'A change to the workspace',
  queue: 'A change to the posting slots',
  integration: 'A change to an integration',
};

/** The refused change as the renderer shows it. */
export function describeRefused(item: RefusedItem): RefusedChange {
  const request = (item.request ?? {}) as Request;
  const editable = EDITABLE_CHANGES[item.channel];
  const kind = item.channel.split('.')[0] ?? '';
  return {
    key: item.key,
    what: editable ? editable.what(request) : (CHANGE_NAMES[kind] ?? 'A change made offline'),
    error: item.error,
    fields: (editable?.fields ?? [])
      .filter((f) => typeof at(request, f.name) === 'string')
      .map((f) => ({ ...f, value: text(at(request, f.name)) })),
  };
}

/** The request with the edited fields set (a copy); only fields the change offers may be edited. */
export function editedRequest(item: RefusedItem, values: Readonly<Record<string, string>>): unknown {
  const allowed = new Set(describeRefused(item).fields.map((f) => f.name));
  const unknown = Object.keys(values).filter((name) => !allowed.has(name));
  if (unknown.length)
    throw new AppError('validation_failed', `${unknown.join(', ')} cannot be edited in this change`, {
      fields: Object.fromEntries(unknown.map((name) => [name, 'This cannot be edited here.'])),
    });
  const request = structuredClone(item.request ?? {}) as Request;
  for (const [name, value] of Object.entries(values)) {
    const keys = name.split('.');
    const last = keys.pop()!;
    const parent = keys.reduce((v, key) => v[key] as Request, request);
    parent[last] = value;
  }
  return request;
}
