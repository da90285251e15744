import { useState, type FormEvent } from 'react';
import { Field } from '../../ui/Field';
import { FormButtons } from '../../ui/FormButtons';
import { Modal } from '../../ui/Modal';
import { fromLocalInput } from '../posts';

/** The keyboard way to move a post: a date and time on the workspace's wall clock. */
export function MoveDialog({
  label,
  zone,
  initial,
  onCancel,
  onMove,
}: {
  label: string;
  zone: string;
  initial: string;
  onCancel: () => void;
  onMove: (iso: string) => void;
}) {
  const [value, setValue] = useState(initial);
  const [problem, setProblem] = useState('');

  function submit(e: FormEvent) {
    e.preventDefault();
    const iso = fromLocalInput(value, zone);
    if (iso) onMove(iso);
    else setProblem('Choose a date and a time.');
  }

  return (
    <Modal
      title="Move post"
      subtitle={label}
      onClose={onCancel}
      onSubmit={submit}
      actions={<FormButtons busy={false} onCancel={onCancel} submit="Move" />}
    >
      <Field label="New date and time" hint={`Time zone: ${zone}`} error={problem}>
        {(control) => (
          <input
            {...control}
            type="datetime-local"
            value={value}
            autoFocus
            onChange={(e) => setValue(e.target.value)}
          />
        )}
      </Field>
    </Modal>
  );
}
