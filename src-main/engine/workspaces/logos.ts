import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { FileUpload } from '../../../src-shared/contract';
import { AppError } from '../kernel/errors';

export const MAX_LOGO_BYTES = 10 * 1024 * 1024;
const ACCEPTED = new Set(['image/png', 'image/jpeg', 'image/webp']);

export interface Logo {
  mimeType: 'image/png' | 'image/jpeg' | 'image/webp';
  size: number;
  sha256: string;
  data: Buffer;
}

/** Checks size first (the seed's message), then recognises the image from its bytes, never its name. */
export async function readLogo(field: 'squareLogo' | 'imageLogo', bytes: Buffer): Promise<Logo> {
  if (bytes.length >= MAX_LOGO_BYTES) {
    throw new AppError('validation_failed', 'file size must be less than 10mb', {
      fields: { [field]: 'file size must be less than 10mb' },
      maxBytes: MAX_LOGO_BYTES,
    });
  }
  const type = await fileTypeFromBuffer(bytes);
  if (!type || !ACCEPTED.has(type.mime)) {
    const message = `${field === 'squareLogo' ? 'square logo' : 'image logo'} must be a PNG, JPEG or WebP image`;
    throw new AppError('validation_failed', message, { fields: { [field]: message } });
  }
  return {
    mimeType: type.mime as Logo['mimeType'],
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    data: bytes,
  };
}

export function decodeUpload(upload: FileUpload): Buffer {
  return Buffer.from(upload.dataBase64, 'base64');
}
