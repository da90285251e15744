import { useState } from 'react';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import type { MediaItem } from '../../../src-shared/media';
import { useContract, useContractMutation } from '../data/queries';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { Action } from '../ui/Action';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Loading, Section } from '../ui/Section';
import { describeMedia, usedByText } from './mediaText';
import { localUrlOf, useUploads } from './useUploads';
import { Thumbnail } from './Thumbnail';
import { UploadZone } from './UploadZone';

/** One item of the grid: its picture, what it is, where it is used, its alt text, and delete. */
function MediaCard({ workspace, item, mayEdit }: { workspace: Workspace; item: MediaItem; mayEdit: boolean }) {
  const [alt, setAlt] = useState(item.altText);
  const [deleting, setDeleting] = useState(false);
  const update = useContractMutation('media.update');
  const remove = useContractMutation('media.delete');
  const ref = { workspaceId: workspace.id, mediaId: item.id };
  const changed = alt.trim() !== item.altText;
  return (
    <li className="library-card" aria-label={item.fileName}>
      <Thumbnail workspaceId={workspace.id} media={item} localUrl={localUrlOf(item.id)} className="library-thumb" />
      <div className="library-facts">
        <strong className="library-name">{item.fileName}</strong>
        <span className="muted">{describeMedia(item)}</span>
        <span className={item.usedBy > 0 ? 'badge badge-on' : 'muted'}>{usedByText(item.usedBy)}</span>
      </div>
      {mayEdit ? (
        <form
          className="library-alt"
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate({ ...ref, patch: { altText: alt.trim() } });
          }}
        >
          <label>
            <span className="visually-hidden">Alt text for {item.fileName}</span>
            <textarea
              rows={2}
              maxLength={1500}
              placeholder={item.kind === 'image' ? 'Alt text: describe the image' : 'Alt text: describe the video'}
              value={alt}
              onChange={(e) => setAlt(e.target.value)}
            />
          </label>
          <div className="button-row">
            <button type="submit" className="button small" disabled={!changed || update.isPending}>
              Save alt text
            </button>
            <Action small tone="danger" opensDialog label={`Delete ${item.fileName}`} onClick={() => setDeleting(true)}>
              Delete
            </Action>
          </div>
          {update.isSuccess && !changed && (
            <p className="hint" role="status">
              Alt text saved.
            </p>
          )}
          {update.error && <ErrorAlert error={update.error} />}
          {remove.error && <ErrorAlert error={remove.error} />}
        </form>
      ) : (
        item.altText && <p className="hint">{item.altText}</p>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${item.fileName}?`}
          confirmLabel="Delete file"
          busy={remove.isPending}
          onCancel={() => setDeleting(false)}
          onConfirm={() => remove.mutate(ref, { onSettled: () => setDeleting(false) })}
        >
          <p>
            {item.usedBy > 0
              ? `${usedByText(item.usedBy)}: it cannot be deleted while a post uses it.`
              : 'The file leaves the library and the data folder. This cannot be undone.'}
          </p>
        </ConfirmDialog>
      )}
    </li>
  );
}

/**
 * A client's media library (issue 14 item 2): every image and video with its thumbnail, type,
 * size, dimensions and length, alt text, how many posts use it, delete (the engine refuses while a
 * post uses it, and says so), and uploads with their progress.
 */
export function MediaLibrarySection({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const role = useRole();
  const mayEdit = can(role, 'post.draft');
  const list = useContract('media.list', { workspaceId: workspace.id, userId: user.id, limit: 200 });
  const uploads = useUploads(workspace.id, user.id);
  return (
    <Section
      title="Media library"
      intro={`${user.displayName}'s images and videos, kept in the data folder and used by posts by reference.`}
    >
      {mayEdit && !user.deactivated && <UploadZone uploads={uploads} />}
      {list.error ? (
        <ErrorAlert error={list.error} />
      ) : !list.data ? (
        <Loading what="media" />
      ) : list.data.length === 0 ? (
        <p className="muted">No images or videos yet.</p>
      ) : (
        <ul className="library-grid" aria-label="Media">
          {list.data.map((item) => (
            <MediaCard key={item.id} workspace={workspace} item={item} mayEdit={mayEdit} />
          ))}
        </ul>
      )}
    </Section>
  );
}
