import { useId } from 'react';
import { useAppState, useSessionMutation } from '../data/session';
import { ErrorAlert } from '../ui/ErrorAlert';

/** Lists every workspace; choosing one makes it the current workspace in the engine. */
export function WorkspaceSwitcher() {
  const app = useAppState();
  const select = useSessionMutation('workspace.select');
  const id = useId();
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
        disabled={select.isPending}
        onChange={(e) => {
          if (e.target.value) select.mutate({ workspaceId: e.target.value });
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
      {select.error && <ErrorAlert error={select.error} />}
    </div>
  );
}
