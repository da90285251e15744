import { useId } from 'react';
import { useAppState, useSessionMutation } from '../data/session';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Options } from '../ui/Options';

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
        <Options options={app.workspaces.map((w) => ({ value: w.id, label: w.name }))} />
      </select>
      {select.error && <ErrorAlert error={select.error} />}
    </div>
  );
}
