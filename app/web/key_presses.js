// Reports the lab's shortcut keys (losslab.views.shortcuts). Not while typing in a field: Enter
// or Escape there ends the typing (Escape puts back what the box held) and gives the keys back
// to the lab, whose root then has the focus.
//
// Scope `lab`: only keys pressed while the focus is inside the lab count, and they go no further
// (a notebook around the lab has shortcuts of its own). Scope `page`: the page is the lab, so a
// key pressed with nothing focused counts too.

function labRoot(el) {
  for (let node = el; node != null; node = node.parentNode ?? node.host) {
    if (node.classList?.contains("lab-page")) return node
  }
  return null
}

const typing = (el) => el != null && (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.isContentEditable)

export function render({ model, el }) {
  let seq = 0, root = null, tries = 0
  const before = new WeakMap()   // a box → what it held when it got the focus
  const onFocus = (event) => {
    const target = event.composedPath()[0]
    if (target?.tagName === "INPUT") before.set(target, target.value)
  }
  const onKey = (event) => {
    if (window.losslabOffline) return  // the server is gone (connection_watch.js)
    const target = event.composedPath()[0]
    const inLab = root != null && event.composedPath().includes(root)
    if (typing(target)) {
      if (inLab && target.tagName === "INPUT" && (event.key === "Enter" || event.key === "Escape")) {
        if (event.key === "Escape" && before.has(target)) target.value = before.get(target)
        // After the box's own handlers (Enter takes the value, then the focus leaves it).
        setTimeout(() => {
          const lost = document.activeElement == null || document.activeElement === document.body
          if (lost || target.getRootNode().activeElement === target) root.focus({preventScroll: true})
        }, 0)
      }
      return
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return
    const idle = document.activeElement == null || document.activeElement === document.body
    if (!inLab && !(model.scope === "page" && idle)) return
    const key = event.key === "Backspace" ? "Delete" : event.key.length === 1 ? event.key.toLowerCase() : event.key
    if (!model.keys.includes(key)) return
    event.preventDefault()
    if (model.scope === "lab") event.stopPropagation()
    model.pressed = {key: key, seq: ++seq}
  }
  const attach = () => {
    root = labRoot(el)
    if (root == null) {
      if (++tries < 200) setTimeout(attach, 50)   // until the component is on the page
      return
    }
    // A click anywhere on the lab gives it the focus, so that its keys work in a notebook too.
    if (!root.hasAttribute("tabindex")) root.tabIndex = -1
    root.addEventListener("keydown", onKey)
    if (model.scope === "page") document.addEventListener("keydown", onOutside)
  }
  // Keys from outside the lab's root (nothing focused) reach only the document.
  const onOutside = (event) => { if (!event.composedPath().includes(root)) onKey(event) }
  document.addEventListener("focusin", onFocus, true)
  setTimeout(attach, 0)
  model.on("remove", () => {
    root?.removeEventListener("keydown", onKey)
    document.removeEventListener("keydown", onOutside)
    document.removeEventListener("focusin", onFocus, true)
  })
  return document.createElement("span")
}
