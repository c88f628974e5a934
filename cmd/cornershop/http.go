package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"cornershop/config"
	"cornershop/core/answerspage"
	"cornershop/core/roadmap"
)

// maxHeaderBytes bounds a request's headers (net/http's default is 1 MiB):
// the platforms send well under a kilobyte.
const maxHeaderBytes = 64 << 10

// maxHeaderWait bounds reading a request's headers, within ReadTimeout.
const maxHeaderWait = 5 * time.Second

// newServer is the HTTP server for h with c's limits. No route takes more
// than a small body — the signed platform POSTs are capped at 1 MiB by
// their handlers and are a few kilobytes sent at once — so one ReadTimeout
// for headers and body suits every route: a client that trickles either
// is cut off, its handler (if it got that far) sees a read error and
// answers 400 without acting, and the connection closes. Idle keep-alive
// connections close after IdleTimeout.
func newServer(h http.Handler, c config.HTTP) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(c.ReadTimeout, maxHeaderWait),
		ReadTimeout:       c.ReadTimeout,
		IdleTimeout:       c.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// routes is every HTTP route cornershop serves, in one place: the public
// handler for http.listen and, when http.admin_listen is set, the
// operator's handler for it (else nil: the operator routes are public too).
func (a *app) routes() (public, admin http.Handler) {
	pub := http.NewServeMux()
	a.publicRoutes(pub)
	if a.cfg.HTTP.AdminListen == "" {
		a.adminRoutes(pub)
		return pub, nil
	}
	adm := http.NewServeMux()
	a.adminRoutes(adm)
	return pub, adm
}

// adminRoutes adds the operator's routes: health, readiness, metrics.
func (a *app) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		detail, err := a.ready(ctx)
		if err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ready\n"+detail)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics.registry, promhttp.HandlerOpts{}))
}

// publicRoutes adds the routes platforms and visitors reach: the roadmap,
// the answers, the API, export download links and the adapters' webhooks.
func (a *app) publicRoutes(mux *http.ServeMux) {
	// The public roadmap: HTML, or JSON at /ideas.json and for
	// Accept: application/json.
	ideas := roadmap.Handler(a.store, roadmap.Options{Team: a.cfg.Team.Name, Logger: a.log.With("component", "roadmap")})
	mux.Handle("GET /ideas", ideas)
	mux.Handle("GET /ideas.json", ideas)
	// The public self-help answers: a list with a search form, a page per
	// answer, and JSON.
	answers := answerspage.Handler(a.store, answerspage.Options{Team: a.cfg.Team.Name, Logger: a.log.With("component", "answers")})
	mux.Handle("GET /answers", answers)
	mux.Handle("GET /answers/{slug}", answers)
	mux.Handle("GET /answers.json", answers)
	// The REST API (package api): bearer tokens, JSON, its OpenAPI
	// document at /api/v1/openapi.json.
	mux.Handle("/api/v1/", a.api)
	// One-time export download links (docs/privacy.md).
	mux.Handle("GET /export/{token}", a.relay.ExportLinkHandler())
	for _, ad := range a.adapters {
		if h, ok := ad.(httpAdapter); ok {
			prefix := "/" + string(ad.Name()) + "/"
			mux.Handle(prefix, http.StripPrefix("/"+string(ad.Name()), h.Handler()))
		}
		if h, ok := ad.(interactionsAdapter); ok && a.cfg.Discord.PublicKey != "" {
			mux.Handle("POST /discord/interactions", h.InteractionsHandler())
		}
	}
}
