/*
 * The preload exposes exactly the contract's PostroomBridge as `window.postroom`, nothing more:
 * never ipcRenderer itself, so page script can reach only our two channels.
 *
 * A sandboxed preload can require nothing but 'electron', so this file imports the contract
 * for types only (the contract pulls in zod). Validation happens in main (`dispatch`) and in
 * the renderer's bundle.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import type * as Contract from '../src-shared/contract';
import type { EventName, EventPayload, PostroomBridge } from '../src-shared/contract';

// Inlined copies; the `typeof` annotations make the build fail if the contract's names change.
const IPC_INVOKE: typeof Contract.IPC_INVOKE = 'postroom:invoke';
const IPC_EVENT: typeof Contract.IPC_EVENT = 'postroom:event';

const bridge: PostroomBridge = {
  invoke(channel, request) {
    return ipcRenderer.invoke(IPC_INVOKE, channel, request);
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    const handler = (_event: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload as EventPayload<E>);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
};

contextBridge.exposeInMainWorld('postroom', bridge);
