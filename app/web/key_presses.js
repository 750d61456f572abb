// Reports the shortcut keys pressed on the page (not while typing in a field).
export function render({ model }) {
  let seq = 0
  const typing = (el) => el && (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.isContentEditable)
  const onKey = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.composedPath()[0])) return
    const key = event.key === "Backspace" ? "Delete" : event.key.length === 1 ? event.key.toLowerCase() : event.key
    if (!model.keys.includes(key)) return
    event.preventDefault()
    model.pressed = {key: key, seq: ++seq}
  }
  document.addEventListener("keydown", onKey)
  model.on("remove", () => document.removeEventListener("keydown", onKey))
  return document.createElement("span")
}
