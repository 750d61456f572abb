// Reports the shortcut keys pressed for this lab (not while typing in a field).
//
// A key is the lab's when it is pressed inside the lab: its outermost element is made focusable,
// so a click anywhere in the lab gives the lab the keyboard. Embedded in another page (a notebook)
// that is the only way: the host's own keys (JupyterLab's `a`, which inserts a cell) stay the
// host's, and two labs on one page each hear their own. On a page of its own the lab is the whole
// page, so a key pressed with nothing focused (on the page's body) is the lab's too.
export function render({ model, view }) {
  let seq = 0
  const lab = view.root.el
  if (!lab.hasAttribute("tabindex")) lab.tabIndex = -1
  const typing = (el) => el && (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.isContentEditable)
  const onKey = (event) => {
    const path = event.composedPath()
    const ours = path.includes(lab) || (model.whole_page && event.target === document.body)
    if (!ours || event.ctrlKey || event.metaKey || event.altKey || typing(path[0])) return
    const key = event.key === "Backspace" ? "Delete" : event.key.length === 1 ? event.key.toLowerCase() : event.key
    if (!model.keys.includes(key)) return
    event.preventDefault()
    model.pressed = {key: key, seq: ++seq}
  }
  document.addEventListener("keydown", onKey)
  model.on("remove", () => document.removeEventListener("keydown", onKey))
  return document.createElement("span")
}
