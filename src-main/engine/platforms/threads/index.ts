import { metaPlatformModule } from '../meta-oauth';
import { THREADS_API_BASE, threadsAdapter, threadsSignIn } from './adapter';

/** Threads (Meta Graph). */
export const threads = metaPlatformModule('threads', THREADS_API_BASE, threadsSignIn, threadsAdapter);
