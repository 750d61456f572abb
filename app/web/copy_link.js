// A "Copy link" button: puts the link to this very lab (the page's address, or the address the
// lab is given when it is embedded in another page, with the lab's query) on the clipboard, and
// says so.
export function render({ model }) {
  const button = document.createElement("button")
  button.type = "button"
  button.className = "copy-link"
  button.textContent = model.label
  const status = document.createElement("span")
  status.className = "copy-link-status"
  status.setAttribute("role", "status")
  status.setAttribute("aria-live", "polite")
  const base = () => model.base || `${window.location.origin}${window.location.pathname}`
  const link = () => `${base()}${model.query ? "?" + model.query : ""}`
  const fallback = (text) => {  // where the clipboard API is not allowed
    const area = document.createElement("textarea")
    area.value = text
    area.setAttribute("readonly", "")
    area.style.position = "fixed"
    area.style.opacity = "0"
    document.body.appendChild(area)
    area.select()
    const copied = document.execCommand("copy")
    area.remove()
    return copied
  }
  let timer = null
  const say = (text) => {
    status.textContent = text
    clearTimeout(timer)
    timer = setTimeout(() => { status.textContent = "" }, 4000)
  }
  button.addEventListener("click", async () => {
    const text = link()
    let copied = false
    try {
      await navigator.clipboard.writeText(text)
      copied = true
    } catch (error) {
      copied = fallback(text)
    }
    model.copied = text
    say(copied ? "Link copied." : model.base ? "Could not copy: this browser does not allow it here."
      : "Could not copy: select the page address and copy it.")
  })
  const root = document.createElement("span")
  root.append(button, status)
  return root
}
