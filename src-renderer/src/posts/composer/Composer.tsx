import { useRef, useState } from 'react';
import type { Workspace } from '../../../../src-shared/contract';
import { useContract } from '../../data/queries';
import type { ComposerRequest } from '../../store';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { Loading } from '../../ui/Section';
import { Modal } from '../../ui/Modal';
import { ComposerForm } from './ComposerForm';
import { clearLocalDraft } from './localDraft';
import { Action } from '../../ui/Action';
import { ConfirmDialog } from '../../ui/ConfirmDialog';

/**
 * The composer (SPEC §8): a client, targets among their active connections, the text with
 * per-platform overrides and live counters exactly as the engine counts (src-shared/platform-rules),
 * images, previews, and a time on the client's wall clock. Also edits an existing post. What is
 * typed is kept locally as it is typed (./localDraft); closing with changes (Cancel, ✕ or Escape)
 * asks whether to keep them for later or discard them.
 */
export function Composer({
  workspace,
  request,
  onClose,
}: {
  workspace: Workspace;
  request: ComposerRequest;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const dirty = useRef(false);
  const [asking, setAsking] = useState(false);
  const editId = request.postId ?? null;
  const existing = useContract(
    'post.get',
    { workspaceId: workspace.id, id: editId ?? '' },
    { enabled: editId !== null },
  );
  const clients = useContract('client.list', { workspaceId: workspace.id, perPage: 10_000 });
  const error = existing.error ?? clients.error;
  const ready = !error && clients.data !== undefined && (!editId || existing.data !== undefined);
  const requestClose = () => (dirty.current ? setAsking(true) : onClose());

  return (
    <Modal
      title={editId ? 'Edit post' : 'New post'}
      wide
      busy={busy}
      onClose={requestClose}
      closeLabel="Close the composer"
      bodyClassName="dialog-content"
    >
      {ready && clients.data ? (
        <ComposerForm
          key={editId ?? 'new'}
          workspace={workspace}
          clients={clients.data.users}
          presetClientId={request.clientId}
          existing={editId ? (existing.data ?? null) : null}
          onBusy={setBusy}
          onDirty={(d) => (dirty.current = d)}
          onCancel={requestClose}
          onDone={onClose}
        />
      ) : (
        <div className="dialog-body">
          {error ? <ErrorAlert error={error} /> : <Loading />}
          <div className="dialog-actions">
            <Action onClick={onClose}>Cancel</Action>
          </div>
        </div>
      )}
      {asking && (
        <ConfirmDialog
          title="Close the composer?"
          cancelLabel="Keep editing"
          otherActions={
            <Action
              tone="danger"
              onClick={() => {
                clearLocalDraft(workspace.id, editId);
                onClose();
              }}
            >
              Discard changes
            </Action>
          }
          confirmLabel="Close, keep them for later"
          tone="primary"
          onConfirm={onClose}
          onCancel={() => setAsking(false)}
        >
          <p>
            Your changes are not saved as a post. Kept for later, they come back the next time you open{' '}
            {editId ? 'this post' : 'New post'} on this computer.
          </p>
        </ConfirmDialog>
      )}
    </Modal>
  );
}
