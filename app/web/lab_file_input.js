// Opens a lab file: the browser checks the file's size before reading it, sends a file within
// the limit as text in one message, and reports a larger one by its name and size alone, so a
// file of any size costs the connection a few bytes (losslab.views.share.LabFileInput).
export function render({ model }) {
  const input = document.createElement("input")
  Object.assign(input, {type: "file", accept: model.accept, className: "lab-file-input"})
  input.setAttribute("aria-label", model.label)
  let seq = 0
  input.addEventListener("change", async () => {
    const file = input.files[0]
    if (!file) return
    if (file.size > model.max_bytes) {
      model.refused = {name: file.name, size: file.size, seq: ++seq}
    } else {
      model.send_msg({name: file.name, text: await file.text()})
    }
    input.value = ""  // the same file chosen again is a new choice
  })
  return input
}
