import type { FileUpload } from '../../src-shared/contract';

/** Reads a picked file into the contract's `{fileName, dataBase64}` shape. */
export function fileToUpload(file: File): Promise<FileUpload> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error(`could not read ${file.name}`));
    reader.onload = () => {
      const url = String(reader.result ?? '');
      const comma = url.indexOf(',');
      resolve({ fileName: file.name, dataBase64: comma >= 0 ? url.slice(comma + 1) : '' });
    };
    reader.readAsDataURL(file);
  });
}
