/**
 * Returns a function that runs `run` in a microtask, once however often it is called before that
 * microtask: both drivers' pipelines write every command made in the same tick in one socket
 * write (pipelining) by pumping their send queue this way.
 */
export function oncePerTick(run: () => void): () => void {
  let scheduled = false
  const task = () => {
    scheduled = false
    run()
  }
  return () => {
    if (scheduled) return
    scheduled = true
    queueMicrotask(task)
  }
}
