// The console's only script: it starts GOV.UK Frontend's components (which
// enhance pages that work without it). Loaded as a module from /assets/,
// as the Content-Security-Policy allows no inline script.
import { initAll } from './govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
