import { useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import { useContractMutation } from '../data/queries';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { CopyField } from '../ui/CopyField';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Facts, Notice, Section } from '../ui/Section';
import { Action } from '../ui/Action';

/** The workspace key: hidden until revealed, and rotated only after a question. */
export function WorkspaceKeySection({
  workspace,
  apiKey,
  onKey,
}: {
  workspace: Workspace;
  apiKey: string | null;
  onKey: (key: string | null) => void;
}) {
  const reveal = useContractMutation('workspace.revealApiKey');
  const rotate = useContractMutation('workspace.rotateApiKey');
  const [rotated, setRotated] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const busy = reveal.isPending || rotate.isPending;
  const error = reveal.error ?? rotate.error;
  const ref = { workspaceId: workspace.id };

  function show(key: string | null, wasRotated: boolean) {
    onKey(key);
    setRotated(wasRotated);
    reveal.reset();
    if (!wasRotated) rotate.reset();
  }

  return (
    <Section
      title="Workspace key"
      intro={
        <>
          The workspace key reaches every client of {workspace.name}. Send it in the <code>x-publora-key</code> header;
          to act for one client, add that client's ID in <code>x-publora-user-id</code>.
        </>
      }
    >
      {apiKey === null ? (
        <Facts
          items={[
            [
              'Workspace API key',
              <>
                <span aria-hidden="true">••••••••••••</span>
                <span className="visually-hidden">hidden</span>
              </>,
            ],
          ]}
        />
      ) : (
        <div className="secret-panel">
          <CopyField
            label="Workspace API key"
            value={apiKey}
            hint={rotated ? 'The new key: copy it now and give it to your scripts.' : undefined}
          />
        </div>
      )}
      <Notice>{rotated && 'The workspace key was rotated: the old key no longer works.'}</Notice>
      {error && <ErrorAlert error={error} />}
      <div className="form-actions">
        {apiKey === null ? (
          <Action disabled={busy} onClick={() => reveal.mutate(ref, { onSuccess: (d) => show(d.apiKey, false) })}>
            Reveal
          </Action>
        ) : (
          <Action disabled={busy} onClick={() => show(null, false)}>
            Hide
          </Action>
        )}
        <Action tone="danger" opensDialog disabled={busy} onClick={() => setConfirming(true)}>
          Rotate key
        </Action>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Rotate the workspace key?"
          confirmLabel="Rotate key"
          busy={busy}
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            rotate.mutate(ref, { onSuccess: (d) => show(d.apiKey, true), onSettled: () => setConfirming(false) })
          }
        >
          <p>
            A new key is made and the old key stops working at once: every script still using it gets “401 Unauthorized”
            until it has the new one. Clients' own keys are not affected.
          </p>
        </ConfirmDialog>
      )}
    </Section>
  );
}
