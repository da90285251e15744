import { useState } from 'react';
import { ClientPatch, type ManagedUser, type QueuedPostsRule } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import { act } from '../data/queries';
import { formatDateTime } from '../format';
import { useContractForm } from '../forms/useContractForm';
import { CopyField } from '../ui/CopyField';
import { NumberField } from '../ui/Field';
import { FormShell } from '../ui/FormShell';
import { Action } from '../ui/Action';
import { Modal } from '../ui/Modal';
import { Facts } from '../ui/Section';
import { ClientFields, clientValues, type ClientValues } from './ClientFields';

/** A client's details as facts. */
export function ClientFacts({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const tz = user.timezone;
  const at = (iso: string) => <time dateTime={iso}>{formatDateTime(iso, tz)}</time>;
  return (
    <>
      <Facts
        items={[
          ['Display name', user.displayName],
          ['Email', user.email],
          ['External ID', user.externalId ?? <span className="muted">none</span>],
          ['Timezone', tz],
          ['Daily post limit', user.dailyPostLimit ?? workspace.plan.dailyPostLimit],
          ['Status', user.deactivated && user.deactivatedAt ? <>Deactivated {at(user.deactivatedAt)}</> : 'Active'],
          ['Created', at(user.createdAt)],
          ['Updated', at(user.updatedAt)],
        ]}
      />
      <CopyField
        label="Client ID"
        value={user.id}
        hint="For scripts: the x-publora-user-id header of the API names this client by it."
      />
    </>
  );
}

type EditValues = ClientValues & { dailyPostLimit: string };

/** Edits a client's details; only what changed is sent. */
export function EditClientForm({
  workspace,
  user,
  onDone,
}: {
  workspace: Workspace;
  user: ManagedUser;
  onDone: () => void;
}) {
  // The Enterprise plan may raise a client's daily limit (seed 000's 100 a day otherwise).
  const raisable = workspace.plan.id === 'enterprise';
  const form = useContractForm({
    schema: ClientPatch,
    defaultValues: {
      ...clientValues(user),
      dailyPostLimit: user.dailyPostLimit === null ? '' : String(user.dailyPostLimit),
    } as EditValues,
    toInput: (draft) => {
      const externalId = draft.externalId.trim() || null;
      const limit = draft.dailyPostLimit.trim() === '' ? null : Number(draft.dailyPostLimit);
      return {
        ...(draft.email.trim() !== user.email ? { email: draft.email.trim() } : {}),
        ...(draft.displayName !== user.displayName ? { displayName: draft.displayName } : {}),
        ...(externalId !== user.externalId ? { externalId } : {}),
        ...(draft.timezone.trim() !== user.timezone ? { timezone: draft.timezone.trim() } : {}),
        ...(raisable && limit !== user.dailyPostLimit ? { dailyPostLimit: limit } : {}),
      };
    },
  });

  // A new time zone with queued posts: the engine asks what they keep (D96); so does this form.
  const [asking, setAsking] = useState<{ patch: Record<string, unknown>; queued: number; zone: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = form.submit(async (_values, patch) => {
    if (Object.keys(patch).length > 0) {
      const res = await act('client.update', { workspaceId: workspace.id, userId: user.id, patch });
      if (!res.ok) {
        const queued = res.error.details?.queuedPosts;
        if (typeof queued === 'number' && typeof patch.timezone === 'string') {
          setAsking({ patch, queued, zone: patch.timezone });
          return;
        }
        return res.error;
      }
    }
    onDone();
  });

  async function moveQueued(queuedPosts: QueuedPostsRule) {
    if (!asking) return;
    setBusy(true);
    const res = await act('client.update', {
      workspaceId: workspace.id,
      userId: user.id,
      patch: { ...asking.patch, queuedPosts },
    });
    setBusy(false);
    setAsking(null);
    if (res.ok) onDone();
    else form.showError(res.error);
  }

  return (
    <FormShell
      form={form}
      onSubmit={onSubmit}
      label={`Edit ${user.displayName}`}
      submit="Save changes"
      onCancel={onDone}
    >
      <ClientFields form={form} />
      {raisable && (
        <NumberField
          form={form}
          name="dailyPostLimit"
          label="Daily post limit"
          range={[1, 10_000]}
          placeholder={String(workspace.plan.dailyPostLimit)}
          hint={`Empty: the plan's ${workspace.plan.dailyPostLimit} a day.`}
        />
      )}
      {asking && (
        <Modal
          role="alertdialog"
          title={`Move ${user.displayName}'s queued posts?`}
          busy={busy}
          onClose={() => setAsking(null)}
          actions={
            <>
              <button type="button" className="button" disabled={busy} onClick={() => setAsking(null)}>
                Cancel
              </button>
              <Action disabled={busy} onClick={() => void moveQueued('keep_moment')}>
                Keep the same moment
              </Action>
              <Action tone="primary" disabled={busy} onClick={() => void moveQueued('keep_local_time')}>
                Keep local times
              </Action>
            </>
          }
        >
          <p>
            {asking.queued} {asking.queued === 1 ? 'post is' : 'posts are'} queued for {user.displayName}. In{' '}
            {asking.zone}, should they keep their local times (09:00 stays 09:00), or go out at the same moment as now
            planned in {user.timezone}?
          </p>
        </Modal>
      )}
    </FormShell>
  );
}
