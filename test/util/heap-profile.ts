/**
 * Allocation measured with V8's sampling heap profiler (for no-allocation tests): allocations are recorded as
 * they happen, with the stack that made them, including objects a GC has already collected. No GC count, heap
 * size or time is read, so the result does not depend on when the GC runs or how busy the machine is.
 */
import type { Session } from 'node:inspector';

interface ProfileNode { callFrame: { functionName: string }; selfSize: number; children: ProfileNode[] }

/** Calls the inspector synchronously (a session in the same thread answers before post returns). */
function post<R>(session: Session, method: string, params?: object): R {
  const answer: { err?: Error | null; res?: R } = {};
  session.post(method, params ?? {}, (err, res) => { answer.err = err; answer.res = res as R; });
  if (answer.err) throw answer.err;
  if (answer.res === undefined) throw new Error(`${method}: no synchronous answer from the inspector`);
  return answer.res;
}

/**
 * Bytes (as the profiler scales its samples) allocated inside a call of a function named `fnName`, except
 * inside calls of functions named in `excluded` (allocations a caller accepts, such as a documented view).
 */
export function bytesAllocatedIn(session: Session, fnName: string, run: () => void, excluded: string[] = []): number {
  post(session, 'HeapProfiler.startSampling', { samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  try {
    run();
    const { profile } = post<{ profile: { head: ProfileNode } }>(session, 'HeapProfiler.getSamplingProfile');
    let bytes = 0;
    const walk = (n: ProfileNode, inside: boolean): void => {
      if (inside && excluded.includes(n.callFrame.functionName)) return;
      const here = inside || n.callFrame.functionName === fnName;
      if (here) bytes += n.selfSize;
      for (const c of n.children) walk(c, here);
    };
    walk(profile.head, false);
    return bytes;
  } finally {
    post(session, 'HeapProfiler.stopSampling');
  }
}
