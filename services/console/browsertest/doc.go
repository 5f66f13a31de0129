// Package browsertest drives the hub staff console in Debian's Chromium
// (chromedp) against the real pupil and tracking services, PostgreSQL and
// the development OpenID Connect provider, checking every page and state
// with axe-core. It is a module of its own so that the console's module
// does not require the services'.
package browsertest
