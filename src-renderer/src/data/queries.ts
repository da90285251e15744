import {
  keepPreviousData,
  QueryClient,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryKey,
} from '@tanstack/react-query';
import type { Channel, RequestOf, ResponseOf, Result } from '../../../src-shared/contract';
import { call, request, type ContractError } from './contract';
import { invalidateAfter } from './freshness';

declare module '@tanstack/react-query' {
  interface Register {
    defaultError: ContractError;
  }
}

/*
 * The query layer over the contract (TanStack Query). A query's key is `[channel, request, ...]`;
 * pushed events mark queries stale (./freshness), so views refresh without version counters.
 */

export const queryClient = new QueryClient({
  defaultOptions: {
    // A failed call is shown, not retried; focus changes mean nothing to a local app.
    queries: { retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false },
    mutations: { retry: false },
  },
});

export interface ContractQueryOptions {
  /** false: nothing is loaded (e.g. for roles that may not read it). */
  enabled?: boolean;
  /** Keep showing the previous answer while a new request (other filters, another week) loads. */
  keepPrevious?: boolean;
  /** Look again every so many milliseconds (given the latest answer) while this is a number. */
  refetchInterval?: number | false | ((data: unknown) => number | false);
  /** Part of the key beyond the request, e.g. a content hash. */
  version?: string;
}

const keyOf = (channel: Channel, req: unknown, version?: string): QueryKey =>
  version === undefined ? [channel, req] : [channel, req, version];

/** A query answered by one contract call. */
export function useContract<C extends Channel>(channel: C, req: RequestOf<C>, options: ContractQueryOptions = {}) {
  return useQuery<ResponseOf<C>, ContractError>({
    queryKey: keyOf(channel, req, options.version),
    queryFn: () => request(channel, req),
    enabled: options.enabled ?? true,
    placeholderData: options.keepPrevious ? keepPreviousData : undefined,
    refetchInterval: (query) => {
      const every = options.refetchInterval ?? false;
      return typeof every === 'function' ? every(query.state.data) : every;
    },
  });
}

/** A query of `channel` answered by `load` (several calls, e.g. every page of a list). */
export function useContractWith<C extends Channel, T>(
  channel: C,
  req: RequestOf<C>,
  load: () => Promise<T>,
  options: ContractQueryOptions = {},
) {
  return useQuery<T, ContractError>({
    queryKey: keyOf(channel, req, options.version ?? 'all'),
    queryFn: load,
    enabled: options.enabled ?? true,
    placeholderData: options.keepPrevious ? keepPreviousData : undefined,
  });
}

const workspaceIdOf = (req: unknown): string | undefined => {
  const id = (req as { workspaceId?: unknown } | null)?.workspaceId;
  return typeof id === 'string' ? id : undefined;
};

/** A change through the contract; what it makes stale is refreshed after it succeeds. */
export function useContractMutation<C extends Channel>(channel: C) {
  const client = useQueryClient();
  return useMutation<ResponseOf<C>, ContractError, RequestOf<C>>({
    mutationFn: (req) => request(channel, req),
    onSuccess: (_data, req) => void invalidateAfter(client, channel, workspaceIdOf(req)),
  });
}

/**
 * One change through the contract, for forms and buttons that keep their own busy and error
 * state; never rejects. What it makes stale is refreshed after it succeeds.
 */
export async function act<C extends Channel>(channel: C, req: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
  const res = await call(channel, req);
  if (res.ok) void invalidateAfter(queryClient, channel, workspaceIdOf(req));
  return res;
}
