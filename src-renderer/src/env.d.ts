import type { PostroomBridge } from '../../src-shared/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in the browser host. */
    postroom?: PostroomBridge;
  }
}

export {};
