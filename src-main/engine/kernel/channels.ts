import type { Channel, EventName, ParsedRequestOf, ResponseOf } from '../../../src-shared/contract';
import type { Principal } from './access';
import type { EngineContext } from './context';

/**
 * What an operation can change, and the event each change is announced with once the operation
 * succeeded. `sessions`: members' sessions ended, so the signed-in person may be out (the app goes
 * back to the profile chooser), announced as the new app state.
 */
export const changeEvents = {
  posts: 'posts.changed',
  clients: 'clients.changed',
  connections: 'connections.changed',
  state: 'state.changed',
  sessions: 'state.changed',
} as const satisfies Record<string, EventName>;
export type Change = keyof typeof changeEvents;

/** Changes that belong to one workspace: their events carry its id, so the request must name it. */
export type WorkspaceChange = 'posts' | 'clients' | 'connections';
type ChangeFor<C extends Channel> =
  ParsedRequestOf<C> extends { workspaceId: string } ? Change : Exclude<Change, WorkspaceChange>;

/** What every channel handler is given: the engine's context and the caller as a principal. */
export interface ChannelHostBase {
  readonly ctx: EngineContext;
  /** The signed-in person as a member of the workspace (`unauthorized` when nobody is signed in). */
  memberPrincipal(workspaceId: string): Principal;
}

/**
 * One channel of the contract as a domain declares it: its handler, and the changes a successful
 * call causes (the engine announces them; handlers never emit events themselves). `H` is what the
 * domain needs from its host beyond the base, declared by the domain and provided by the engine.
 */
export interface ChannelDef<C extends Channel, H extends ChannelHostBase = ChannelHostBase> {
  readonly changes?: readonly ChangeFor<C>[];
  /**
   * The handler builds its answer field by field in the contract's shape (no database row or
   * object spread into it), so the engine sends it without parsing it against the response schema
   * again: the renderer validates every reply it receives (SPEC §1, "validated on both sides"), and
   * a page of the queue spent a sixth of its time and most of its garbage on a copy nobody needed
   * (issue 11, D124). test/unit/contract-answers.test.ts checks that parsing such an answer gives
   * back exactly the answer, for every kind of group a page can hold.
   */
  readonly builtToContract?: true;
  readonly handle: (host: H, request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
}

export type ChannelDefs<C extends Channel, H extends ChannelHostBase = ChannelHostBase> = {
  [K in C]: ChannelDef<K, H>;
};

/**
 * Declares a domain's channels against what the domain needs from its host:
 * `defineChannels<PostsHost>()({ 'post.create': { changes: ['posts'], handle: … } })`.
 */
export const defineChannels =
  <H extends ChannelHostBase>() =>
  <C extends Channel>(defs: ChannelDefs<C, H>): ChannelDefs<C, H> =>
    defs;
