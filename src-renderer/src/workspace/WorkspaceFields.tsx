import type { FieldPath } from 'react-hook-form';
import { CreateWorkspaceInput, type PlanId, type WorkspaceType } from '../../../src-shared/contract';
import { fileToUpload } from '../files';
import type { FormFields } from '../forms/useContractForm';
import { Field, SelectField, TextField } from '../ui/Field';

/** A workspace as its form holds it (logos as picked files). */
export interface WorkspaceValues {
  name: string;
  workspaceType: WorkspaceType;
  planId: PlanId;
  squareLogo: FileList | null;
  imageLogo: FileList | null;
}

export const emptyWorkspace = (): WorkspaceValues => ({
  name: '',
  workspaceType: 'iframe embed',
  planId: 'free',
  squareLogo: null,
  imageLogo: null,
});

/** The contract's workspace schema; the logos' bytes are checked by the engine when they are sent. */
export const WorkspaceSchema = CreateWorkspaceInput.omit({ squareLogo: true, imageLogo: true });

/** The values to check against WorkspaceSchema. */
export const workspaceFields = ({ name, workspaceType, planId }: WorkspaceValues) => ({ name, workspaceType, planId });

/** The contract input, with the logos read. */
export async function workspaceInput(values: WorkspaceValues): Promise<CreateWorkspaceInput> {
  const [squareLogo, imageLogo] = await Promise.all(
    [values.squareLogo?.[0], values.imageLogo?.[0]].map((file) => (file ? fileToUpload(file) : undefined)),
  );
  return { ...workspaceFields(values), ...(squareLogo ? { squareLogo } : {}), ...(imageLogo ? { imageLogo } : {}) };
}

/** What a form holding a workspace needs: its check, its empty values, and the input they make. */
export const workspaceForm = {
  schema: WorkspaceSchema,
  empty: emptyWorkspace,
  fields: workspaceFields,
  input: workspaceInput,
};

const plans: { value: PlanId; label: string; hint: string }[] = [
  { value: 'free', label: 'Free', hint: 'owner only, up to 3 clients' },
  { value: 'team', label: 'Team', hint: 'up to 10 members and 50 clients' },
  { value: 'enterprise', label: 'Enterprise', hint: 'unlimited members and clients' },
];

const types: { value: WorkspaceType; label: string; hint: string }[] = [
  { value: 'iframe embed', label: 'iframe embed', hint: 'opens with left navigation' },
  { value: 'jwt full embed', label: 'jwt full embed', hint: 'opens as a focused view with no navigation' },
];

type WithWorkspace = { workspace: WorkspaceValues };

/** Name, type, plan and logos: shared by first-run setup and "New workspace" (kept under `workspace`). */
export function WorkspaceFields<V extends WithWorkspace>({ form }: { form: FormFields<V> }) {
  const at = (field: keyof WorkspaceValues) => `workspace.${field}` as FieldPath<V>;
  const logo = (field: 'squareLogo' | 'imageLogo', label: string) => (
    <Field label={label} error={form.errorOf(at(field))}>
      {(control) => (
        <input type="file" accept="image/png,image/jpeg,image/webp" {...control} {...form.register(at(field))} />
      )}
    </Field>
  );
  return (
    <>
      <TextField form={form} name={at('name')} label="Workspace name" autoComplete="organization" required />
      <SelectField form={form} name={at('workspaceType')} label="Workspace type" options={types} />
      <SelectField form={form} name={at('planId')} label="Plan" options={plans} />
      <fieldset className="logos-fieldset">
        <legend>Logos (optional)</legend>
        <p className="hint">PNG, JPEG or WebP, each less than 10 MB.</p>
        {logo('squareLogo', 'Square logo')}
        {logo('imageLogo', 'Image logo')}
      </fieldset>
    </>
  );
}
