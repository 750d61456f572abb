// What the page does when it loses its server (losslab.views.connection.ConnectionWatch): say so
// at once, take no more input, and reopen the lab its address holds when the server answers.
export function render({ model, view }) {
  const marker = document.createElement("span")
  const doc = view.model.document
  if (doc == null || !model.served) return marker
  let lost = false
  // A veil over the page (it sits outside the page's elements, which are made inert) with the
  // notice in the middle.
  const notice = document.createElement("div")
  notice.className = "losslab-connection-lost"
  Object.assign(notice.style, {
    position: "fixed", inset: "0", zIndex: "100000", display: "flex", alignItems: "center",
    justifyContent: "center", background: "rgba(255, 255, 255, 0.75)",
  })
  const card = document.createElement("div")
  card.setAttribute("role", "alert")
  Object.assign(card.style, {
    maxWidth: "32em", padding: "1.2em 1.6em", background: "#fff", color: model.color,
    border: `3px solid ${model.color}`, borderRadius: "8px", font: "600 20px/1.4 sans-serif",
    textAlign: "center", boxShadow: "0 4px 24px rgba(0, 0, 0, 0.2)",
  })
  notice.appendChild(card)
  const ask = async () => {
    try {
      // Any answer will do (the page's address answers HEAD without opening a session).
      await fetch(window.location.href, {method: "HEAD", cache: "no-store"})
    } catch (error) {  // no answer: the server is still away
      setTimeout(ask, model.retry_ms)
      return
    }
    card.textContent = model.back_text
    window.location.reload()
  }
  doc.on_event("connection_lost", () => {
    if (lost) return
    lost = true
    window.losslabOffline = true  // the keyboard shortcuts stop too
    card.textContent = model.lost_text
    for (const element of document.body.children) element.inert = true
    document.body.appendChild(notice)
    setTimeout(ask, model.retry_ms)
  })
  return marker
}
