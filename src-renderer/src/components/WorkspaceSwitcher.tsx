import { useId, useState } from 'react';
import type { ErrorObject } from '../../../src-shared/errors';
import { useStore } from '../store';
import { ErrorAlert } from './ErrorAlert';

/** Lists every workspace; choosing one makes it the current workspace in the engine. */
export function WorkspaceSwitcher() {
  const app = useStore((s) => s.app);
  const selectWorkspace = useStore((s) => s.selectWorkspace);
  const id = useId();
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusy] = useState(false);
  if (!app) return null;

  return (
    <div className="switcher">
      <label htmlFor={`${id}-ws`} className="visually-hidden">
        Workspace
      </label>
      <select
        id={`${id}-ws`}
        aria-label="Workspace"
        value={app.currentWorkspaceId ?? ''}
        disabled={busy}
        onChange={async (e) => {
          const workspaceId = e.target.value;
          if (!workspaceId) return;
          setBusy(true);
          setError(null);
          const res = await selectWorkspace(workspaceId);
          setBusy(false);
          if (!res.ok) setError(res.error);
        }}
      >
        {app.currentWorkspaceId === null && (
          <option value="" disabled>
            Choose a workspace
          </option>
        )}
        {app.workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
      </select>
      {error && <ErrorAlert error={error} />}
    </div>
  );
}
