// The console's only script: it starts GOV.UK Frontend's components (which
// enhance pages that work without it). Loaded as a module from /assets/,
// as the Content-Security-Policy allows no inline script.
import { initAll } from './govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// An upload shows its progress. A form marked data-upload-progress is sent
// with XMLHttpRequest, whose upload events an ordinary submission does not
// give, and a status line says how far it has got, then that the rows are
// being checked. When the server answers with the next page (the import's
// report), the browser goes there; when it answers with the form again (a
// problem to fix), the form is submitted the ordinary way, so the page and
// its error summary come back as they would without JavaScript.
const uploadForm = document.querySelector('form[data-upload-progress]')
if (uploadForm) {
  let sent = false
  uploadForm.addEventListener('submit', (event) => {
    const file = uploadForm.querySelector('input[type=file]')
    if (sent || !file || file.files.length === 0) {
      return
    }
    event.preventDefault()
    sent = true
    const region = document.getElementById('upload-progress-region')
    const bar = document.getElementById('upload-progress')
    const status = document.getElementById('upload-status')
    region.hidden = false
    const say = (text) => { status.textContent = text }
    say('Uploading the file: 0%')
    const request = new XMLHttpRequest()
    request.open('POST', uploadForm.action)
    request.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) {
        bar.value = Math.floor((100 * e.loaded) / e.total)
        say('Uploading the file: ' + bar.value + '%')
      }
    })
    request.upload.addEventListener('load', () => {
      bar.value = 100
      say('Uploaded. Checking and importing every row: the report follows.')
    })
    request.addEventListener('load', () => {
      const answered = new URL(request.responseURL, window.location.href)
      if (answered.pathname !== new URL(uploadForm.action, window.location.href).pathname) {
        window.location.assign(answered.href)
      } else {
        uploadForm.submit()
      }
    })
    request.addEventListener('error', () => {
      sent = false
      say('The upload did not reach the console: check the connection and try again.')
    })
    request.send(new FormData(uploadForm))
  })
}
