import { useState } from 'react';
import { useFieldArray } from 'react-hook-form';
import { z } from 'zod';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import { QueueSlot } from '../../../src-shared/posts';
import { act, useContract } from '../data/queries';
import { useRole } from '../data/session';
import { useContractForm } from '../forms/useContractForm';
import { can } from '../permissions';
import { weekdays } from '../posts/posts';
import { ErrorAlert, FormAlert } from '../ui/ErrorAlert';
import { Notice, Section } from '../ui/Section';
import { Action } from '../ui/Action';
import { Options } from '../ui/Options';

const weekdayOptions = weekdays.map((day, d) => ({ value: String(d + 1), label: day }));

type SlotValues = { slots: { weekday: string; time: string }[] };

const toSlots = ({ slots }: SlotValues) => ({
  slots: slots.map((s) => ({ weekday: Number(s.weekday), time: s.time })),
});
const fromSlots = (slots: readonly QueueSlot[]): SlotValues => ({
  slots: slots.map((s) => ({ weekday: String(s.weekday), time: s.time })),
});

/** The slots as a form: a weekday and a time per row, rows added and removed, saved together. */
function SlotsForm({
  workspace,
  user,
  initial,
  titleId,
}: {
  workspace: Workspace;
  user: ManagedUser;
  initial: readonly QueueSlot[];
  titleId: string;
}) {
  const editable = can(useRole(), 'post.schedule');
  const [notice, setNotice] = useState('');
  const form = useContractForm({
    schema: z.object({ slots: z.array(QueueSlot).max(200) }),
    defaultValues: fromSlots(initial),
    toInput: toSlots,
  });
  const rows = useFieldArray({ control: form.control, name: 'slots' });
  const busy = form.formState.isSubmitting;
  const locked = !editable || busy;

  const onSubmit = form.submit(async (_values, { slots }) => {
    const res = await act('queue.setSlots', { workspaceId: workspace.id, userId: user.id, slots });
    if (!res.ok) return res.error;
    form.reset(fromSlots(res.data));
    const n = res.data.length;
    setNotice(n === 0 ? 'Saved: no queue slots.' : `Saved ${n} queue ${n === 1 ? 'slot' : 'slots'}.`);
  });

  return (
    <form aria-labelledby={titleId} noValidate onSubmit={onSubmit} onChange={() => setNotice('')}>
      {rows.fields.length === 0 ? (
        <p className="muted">No queue slots yet.</p>
      ) : (
        <ul className="slot-list" aria-label="Slots">
          {rows.fields.map((row, i) => (
            <li key={row.id} className="slot-row">
              <select
                aria-label={`Weekday of slot ${i + 1}`}
                disabled={locked}
                {...form.register(`slots.${i}.weekday`)}
              >
                <Options options={weekdayOptions} />
              </select>
              <input
                type="time"
                aria-label={`Time of slot ${i + 1}`}
                aria-invalid={form.errorOf(`slots.${i}.time`) ? true : undefined}
                disabled={locked}
                {...form.register(`slots.${i}.time`)}
              />
              {editable && (
                <Action small disabled={busy} label={`Remove slot ${i + 1}`} onClick={() => rows.remove(i)}>
                  Remove
                </Action>
              )}
              {form.errorOf(`slots.${i}.time`) && <p className="field-error">Choose a time of day for slot {i + 1}.</p>}
            </li>
          ))}
        </ul>
      )}
      <FormAlert form={form} />
      <Notice>{notice}</Notice>
      {editable && (
        <div className="button-row">
          <Action disabled={busy} onClick={() => rows.append({ weekday: '1', time: '09:00' })}>
            Add slot
          </Action>
          <button type="submit" className="button primary" disabled={busy}>
            Save slots
          </button>
        </div>
      )}
    </form>
  );
}

/** The client's weekly queue slots (SPEC §4): "add to queue" takes the next free one. */
export function QueueSlotsSection({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const slots = useContract('queue.getSlots', { workspaceId: workspace.id, userId: user.id });
  return (
    <Section
      title="Queue slots"
      intro={`Weekly times in ${user.timezone}. "Add to queue" takes the next free slot on a day with room.`}
    >
      {(titleId) => (
        <>
          {slots.error && <ErrorAlert error={slots.error} />}
          {slots.data && <SlotsForm workspace={workspace} user={user} initial={slots.data} titleId={titleId} />}
        </>
      )}
    </Section>
  );
}
