// A page's end of a stream (losslab.views.lab_picture.PictureStream, served by
// losslab.transport.picture_stream): each picture of the lab (its own Run's, or the class's it
// follows) is set on this page's Scene and Frame without being sent back, and once it is painted
// the page says so, for the next.

// An array as the stream writes it ({dtype, base64} of its bytes), as Bokeh would give it.
function typedArray({dtype, base64}) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
  return dtype === "float32" ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer)
}

function decoded(value) {
  if (Array.isArray(value)) return value.map(decoded)
  if (value === null || typeof value !== "object") return value
  if (typeof value.base64 === "string" && typeof value.dtype === "string") return typedArray(value)
  if (typeof value.number === "string") return Number(value.number)  // NaN, ±Infinity
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, decoded(item)]))
}

export function render({ model }) {
  const marker = document.createElement("span")
  let socket = null
  let gone = false

  function show(text) {
    const picture = JSON.parse(text)
    // The page took its picture back after this one was sent: its document has the newer.
    if (picture.seq <= model.ignore_through) return
    const scene = {update: decoded(picture.update)}
    if (picture.points != null) scene.points = decoded(picture.points)
    model.scene.setv(scene, {sync: false})
    model.frame.setv({texts: picture.texts, parameters: decoded(picture.parameters)}, {sync: false})
    // Painted after the next frame: then the next picture may come.
    requestAnimationFrame(() => setTimeout(() => {
      if (socket !== null && socket.readyState === WebSocket.OPEN)
        socket.send(JSON.stringify({drawn: picture.seq}))
    }, 0))
  }

  let tries = 0
  function open(again = false) {
    if (socket !== null) socket.close()
    socket = null
    tries = again ? tries + 1 : 1
    if (gone || !model.key) return
    const url = new URL(`picture-stream?key=${encodeURIComponent(model.key)}`, window.location.href)
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:"
    const opened = new WebSocket(url)
    opened.onmessage = (event) => { if (opened === socket) show(event.data) }
    // A server of several processes spreads connections over them: a stream opened on one that
    // does not hold this page's session is refused, and another connection may land on the
    // right one. (Meanwhile, and if none does, the page's session brings the picture.)
    opened.onclose = (event) => {
      if (opened === socket && event.code === model.refused_code && tries < model.tries)
        setTimeout(() => { if (opened === socket) open(true) }, 20)
    }
    socket = opened
  }

  open()
  model.on("key", () => open())
  model.on("remove", () => { gone = true; if (socket !== null) socket.close(); socket = null })
  return marker
}
