import { useId, useState } from 'react';
import { formatBytes } from '../format';
import type { useUploads } from './useUploads';

/**
 * Where files come into the library: a file picker and a drop zone, each file's progress bar
 * (the engine's own count of bytes received), and beside it every refused file with the reason.
 */
export function UploadZone({
  uploads,
  accept = 'image/jpeg,image/png,image/webp,image/gif,video/mp4,video/quicktime',
  label = 'Upload files',
}: {
  uploads: ReturnType<typeof useUploads>;
  accept?: string;
  label?: string;
}) {
  const [over, setOver] = useState(false);
  const inputId = useId();
  const refused = uploads.rows.filter((r) => r.state === 'refused');
  return (
    <div className="upload-zone-wrap">
      <div
        className={over ? 'upload-zone over' : 'upload-zone'}
        data-testid="drop-zone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void uploads.add(e.dataTransfer.files);
        }}
      >
        <label htmlFor={inputId} className="button">
          {label}
        </label>
        <input
          id={inputId}
          className="visually-hidden"
          type="file"
          multiple
          accept={accept}
          onChange={(e) => {
            void uploads.add(e.target.files ? [...e.target.files] : null);
            e.target.value = '';
          }}
        />
        <span className="muted">or drop images and videos (JPEG, PNG, WebP, GIF, MP4, MOV) here</span>
      </div>
      {uploads.rows.length > 0 && (
        <ul className="upload-list" aria-label="Uploads">
          {uploads.rows
            .filter((r) => r.state !== 'refused')
            .map((r) => {
              const percent = r.size > 0 ? Math.floor((r.received / r.size) * 100) : 100;
              return (
                <li key={r.key} className="upload-row">
                  <span>{r.fileName}</span>
                  <progress
                    max={100}
                    value={percent}
                    aria-label={`Uploading ${r.fileName}`}
                    aria-valuetext={`${percent}% (${formatBytes(r.received)} of ${formatBytes(r.size)})`}
                  />
                  <span className="muted" aria-live="polite">
                    {r.state === 'done' ? 'Added to the library' : `${percent}%`}
                  </span>
                </li>
              );
            })}
        </ul>
      )}
      {refused.length > 0 && (
        <div role="alert" className="alert" aria-label="Files refused">
          <ul className="plain-list">
            {refused.map((r) => (
              <li key={r.key}>
                {r.error?.message.startsWith(r.fileName) ? r.error.message : `${r.fileName}: ${r.error?.message}`}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
