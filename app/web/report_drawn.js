// Run pacing: after the next paint, update `sent` is on the screen; then report it as drawn.
// cb_obj is the page's frame (losslab.transport.frame).
const sent = cb_obj.sent
requestAnimationFrame(() => setTimeout(() => { cb_obj.drawn = sent }, 0))
