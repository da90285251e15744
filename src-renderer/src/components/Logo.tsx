import { useEffect } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import { logoKey, useStore, type LogoKind } from '../store';

/** The data URL of a workspace logo (loaded once per content hash), null if none, undefined while loading. */
export function useLogo(workspace: Workspace | null, kind: LogoKind): string | null | undefined {
  const info = workspace ? (kind === 'square' ? workspace.squareLogo : workspace.imageLogo) : null;
  const key = workspace && info ? logoKey(workspace.id, kind, info.sha256) : null;
  const url = useStore((s) => (key ? s.logos[key] : null));
  const loadLogo = useStore((s) => s.loadLogo);
  useEffect(() => {
    if (workspace && info && key) void loadLogo(workspace.id, kind, info.sha256);
  }, [workspace, info, key, kind, loadLogo]);
  return info ? url : null;
}
