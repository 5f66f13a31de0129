package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// static holds GOV.UK Frontend's compiled CSS, JavaScript, fonts and images
// (govuk/, copied from the npm package the lockfile in services/console/web
// pins, by hack/console-assets.sh) and the console's own console.css and
// console.js. govuk/package.json records the version and is not served.
//
//go:embed static/console.css static/console.js static/govuk/govuk-frontend.min.css static/govuk/govuk-frontend.min.js static/govuk/fonts static/govuk/images static/govuk/manifest.json
var static embed.FS

// assets serves static under /assets/. GOV.UK Frontend's stylesheet loads
// its fonts and images from /assets/fonts/ and /assets/images/, so those
// (and the web app manifest) are served from govuk/.
func assets() http.Handler {
	root, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, AssetsPath)
		if strings.HasPrefix(name, "fonts/") || strings.HasPrefix(name, "images/") || name == "manifest.json" {
			name = "govuk/" + name
		}
		info, err := fs.Stat(root, name)
		if err != nil || info.IsDir() {
			http.NotFound(w, r)
			return
		}
		http.ServeFileFS(w, r, root, name)
	})
}
