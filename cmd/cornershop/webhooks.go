package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"cornershop/api"
	"cornershop/config"
	"cornershop/core/relay"
	"cornershop/webhooks"
)

// webhookConfig builds the relay's webhook endpoints and their sender from
// the webhooks section; none configured is none.
func webhookConfig(cfg *config.Config) (relay.Webhooks, error) {
	if len(cfg.Webhooks) == 0 {
		return relay.Webhooks{}, nil
	}
	var rw relay.Webhooks
	eps := make([]webhooks.Endpoint, len(cfg.Webhooks))
	for i, w := range cfg.Webhooks {
		eps[i] = webhooks.Endpoint{Name: w.Name, URL: w.URL, Secret: []byte(w.Secret.Reveal()), Timeout: w.Timeout}
		rw.Endpoints = append(rw.Endpoints, relay.WebhookEndpoint{Name: w.Name, Events: w.Events, IncludeNotes: w.IncludeNotes,
			MaxAttempts: w.MaxAttempts, MinBackoff: w.MinBackoff, MaxBackoff: w.MaxBackoff})
	}
	sender, err := webhooks.New(eps, nil, nil)
	if err != nil {
		return relay.Webhooks{}, fmt.Errorf("webhooks: %w", err)
	}
	rw.Sender = sender
	return rw, nil
}

// webhookRoutes serves the webhook failures (list: read scope; redeliver:
// write) behind the REST API's tokens.
func webhookRoutes(svc webhooks.FailureService, log *slog.Logger) []api.Route {
	h := webhooks.Failures(svc, func(r *http.Request) (string, error) {
		if actor := api.Caller(r.Context()); actor != "" {
			return actor, nil
		}
		return "", errors.New("no API token")
	}, log)
	return []api.Route{
		{Pattern: "GET /api/v1/webhooks/failures", Scope: api.ScopeRead, Handler: h},
		{Pattern: "POST /api/v1/webhooks/failures/{id}/redeliver", Scope: api.ScopeWrite, Handler: h},
	}
}
