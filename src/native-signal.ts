const followers = new WeakMap<AbortSignal, AbortSignal>();

/**
 * A native AbortSignal that follows `signal`, made once per signal. The server
 * adapter hands over a look-alike that Node 24's AbortSignal.any and timers
 * refuse; only the calls that give a signal to those pay for the copy.
 */
export function nativeSignal(signal: AbortSignal): AbortSignal {
  // The adapter's look-alike passes instanceof; its class tag still says EventTarget.
  if (Object.prototype.toString.call(signal) === '[object AbortSignal]') return signal;
  let follower = followers.get(signal);
  if (follower === undefined) {
    const controller = new AbortController();
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
    follower = controller.signal;
    followers.set(signal, follower);
  }
  return follower;
}
