import type { FuseConfig } from '@electron/fuses';

export declare const FUSES: FuseConfig & { strictlyRequireAllFuses: true };
export declare function flipPostroomFuses(electronBinary: string): Promise<number>;
export default function afterPack(context: unknown): Promise<void>;
