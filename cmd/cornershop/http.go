package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"cornershop/core/roadmap"
)

// routes is every HTTP route cornershop serves, in one place.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
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
	// The public roadmap: HTML, or JSON at /ideas.json and for
	// Accept: application/json.
	ideas := roadmap.Handler(a.store, roadmap.Options{Team: a.cfg.Team.Name, Logger: a.log.With("component", "roadmap")})
	mux.Handle("GET /ideas", ideas)
	mux.Handle("GET /ideas.json", ideas)
	for _, ad := range a.adapters {
		if h, ok := ad.(httpAdapter); ok {
			prefix := "/" + string(ad.Name()) + "/"
			mux.Handle(prefix, http.StripPrefix("/"+string(ad.Name()), h.Handler()))
		}
		if h, ok := ad.(interactionsAdapter); ok && a.cfg.Discord.PublicKey != "" {
			mux.Handle("POST /discord/interactions", h.InteractionsHandler())
		}
	}
	return mux
}
