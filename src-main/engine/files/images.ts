import sharp from 'sharp';

/*
 * Pictures made from a stored image with sharp (libvips): the library's thumbnails and crops to a
 * platform's aspect ratio. Both honour the EXIF orientation, so what is cut is what a person sees.
 */

/** Thumbnails fit in a 320-pixel square: sharp enough for the composer's grid at 2× density. */
export const THUMBNAIL_SIDE = 320;

export async function thumbnailOf(path: string): Promise<Buffer> {
  return sharp(path, { animated: false })
    .rotate()
    .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 78, mozjpeg: true })
    .toBuffer();
}

/** Aspect ratios the platforms ask for, as width:height. */
export const ASPECT_RATIOS = {
  '1:1': [1, 1],
  '4:5': [4, 5],
  '1.91:1': [1.91, 1],
  '16:9': [16, 9],
  '9:16': [9, 16],
  '3:4': [3, 4],
} as const;
export type AspectRatio = keyof typeof ASPECT_RATIOS;

/** The largest width×height of the ratio that fits inside the picture. */
export function cropSize(width: number, height: number, aspect: AspectRatio): { width: number; height: number } {
  const [w, h] = ASPECT_RATIOS[aspect];
  const byWidth = { width, height: Math.round((width * h) / w) };
  return byWidth.height <= height ? byWidth : { width: Math.round((height * w) / h), height };
}

/**
 * The picture at another aspect ratio: `crop` cuts the sides or top and bottom (keeping the part
 * libvips finds most interesting), `pad` keeps the whole picture on a plain background.
 * The format stays the same (a GIF becomes a PNG: its animation cannot survive a crop).
 */
export async function reshape(
  path: string,
  mimeType: string,
  width: number,
  height: number,
  aspect: AspectRatio,
  mode: 'crop' | 'pad',
  background = '#ffffff',
): Promise<{ data: Buffer; mimeType: string }> {
  const [w, h] = ASPECT_RATIOS[aspect];
  const target =
    mode === 'crop'
      ? cropSize(width, height, aspect)
      : width / height > w / h
        ? { width, height: Math.round((width * h) / w) }
        : { width: Math.round((height * w) / h), height };
  let image = sharp(path, { animated: false })
    .rotate()
    .resize(target.width, target.height, {
      fit: mode === 'crop' ? 'cover' : 'contain',
      position: mode === 'crop' ? sharp.strategy.attention : 'centre',
      background,
    });
  switch (mimeType) {
    case 'image/jpeg':
      image = image.jpeg({ quality: 90, mozjpeg: true });
      return { data: await image.toBuffer(), mimeType };
    case 'image/webp':
      return { data: await image.webp({ quality: 90 }).toBuffer(), mimeType };
    default:
      return { data: await image.png().toBuffer(), mimeType: 'image/png' };
  }
}
