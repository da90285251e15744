import { useId } from 'react';
import type { CreateWorkspaceInput, PlanId, WorkspaceType } from '../../../src-shared/contract';
import { fileToUpload } from '../files';

export interface WorkspaceDraft {
  name: string;
  workspaceType: WorkspaceType;
  planId: PlanId;
  squareLogo: File | null;
  imageLogo: File | null;
}

export const emptyDraft = (): WorkspaceDraft => ({
  name: '',
  workspaceType: 'iframe embed',
  planId: 'free',
  squareLogo: null,
  imageLogo: null,
});

export async function draftToInput(draft: WorkspaceDraft): Promise<CreateWorkspaceInput> {
  const [squareLogo, imageLogo] = await Promise.all([
    draft.squareLogo ? fileToUpload(draft.squareLogo) : undefined,
    draft.imageLogo ? fileToUpload(draft.imageLogo) : undefined,
  ]);
  return {
    name: draft.name,
    workspaceType: draft.workspaceType,
    planId: draft.planId,
    ...(squareLogo ? { squareLogo } : {}),
    ...(imageLogo ? { imageLogo } : {}),
  };
}

const plans: { id: PlanId; label: string; hint: string }[] = [
  { id: 'free', label: 'Free', hint: 'owner only, up to 3 clients' },
  { id: 'team', label: 'Team', hint: 'up to 10 members and 50 clients' },
  { id: 'enterprise', label: 'Enterprise', hint: 'unlimited members and clients' },
];

// Type-only use of the contract keeps zod out of the renderer bundle; the Record below makes
// the compiler flag any type added to the contract but missing here.
const typeHints: Record<WorkspaceType, string> = {
  'iframe embed': 'opens with left navigation',
  'jwt full embed': 'opens as a focused view with no navigation',
};
const workspaceTypes = Object.keys(typeHints) as WorkspaceType[];

interface Props {
  draft: WorkspaceDraft;
  onChange: (draft: WorkspaceDraft) => void;
  /** Field paths (e.g. "name", "squareLogo") the last error was about. */
  invalid: Set<string>;
  /** id of the error alert, for aria-describedby on invalid fields. */
  errorId: string;
  disabled?: boolean;
  planSelectId?: string;
}

/** Name, type, plan and logos: shared by first-run setup and "New workspace". */
export function WorkspaceFields({ draft, onChange, invalid, errorId, disabled, planSelectId }: Props) {
  const id = useId();
  const set = <K extends keyof WorkspaceDraft>(key: K, value: WorkspaceDraft[K]) =>
    onChange({ ...draft, [key]: value });
  const aria = (field: string) =>
    invalid.has(field) ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {};

  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-name`}>Workspace name</label>
        <input
          id={`${id}-name`}
          type="text"
          autoComplete="organization"
          maxLength={200}
          value={draft.name}
          aria-required="true"
          disabled={disabled}
          onChange={(e) => set('name', e.target.value)}
          {...aria('name')}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-type`}>Workspace type</label>
        <select
          id={`${id}-type`}
          value={draft.workspaceType}
          disabled={disabled}
          aria-describedby={`${id}-type-hint`}
          onChange={(e) => set('workspaceType', e.target.value as WorkspaceType)}
          {...aria('workspaceType')}
        >
          {workspaceTypes.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <p className="hint" id={`${id}-type-hint`}>
          {typeHints[draft.workspaceType]}
        </p>
      </div>
      <div className="field">
        <label htmlFor={planSelectId ?? `${id}-plan`}>Plan</label>
        <select
          id={planSelectId ?? `${id}-plan`}
          value={draft.planId}
          disabled={disabled}
          aria-describedby={`${id}-plan-hint`}
          onChange={(e) => set('planId', e.target.value as PlanId)}
          {...aria('planId')}
        >
          {plans.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
        <p className="hint" id={`${id}-plan-hint`}>
          {plans.find((p) => p.id === draft.planId)?.hint}
        </p>
      </div>
      <fieldset className="logos-fieldset" disabled={disabled}>
        <legend>Logos (optional)</legend>
        <p className="hint">PNG, JPEG or WebP, each less than 10 MB.</p>
        <div className="field">
          <label htmlFor={`${id}-square`}>Square logo</label>
          <input
            id={`${id}-square`}
            type="file"
            accept="image/png,image/jpeg,image/webp"
            onChange={(e) => set('squareLogo', e.target.files?.[0] ?? null)}
            {...aria('squareLogo')}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-image`}>Image logo</label>
          <input
            id={`${id}-image`}
            type="file"
            accept="image/png,image/jpeg,image/webp"
            onChange={(e) => set('imageLogo', e.target.files?.[0] ?? null)}
            {...aria('imageLogo')}
          />
        </div>
      </fieldset>
    </>
  );
}
