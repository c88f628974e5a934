package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"cornershop/core"
)

// FailureService lists and redelivers webhook deliveries that failed for
// good; relay.Service is one.
type FailureService interface {
	// WebhookFailures lists failures newest first, at most limit.
	WebhookFailures(ctx context.Context, limit int) ([]core.WebhookFailure, error)
	// RedeliverWebhook queues failed delivery id again on behalf of actor;
	// an error wrapping core.ErrNotFound unless id failed.
	RedeliverWebhook(ctx context.Context, id core.DeliveryID, actor string) error
}

// Authorize decides whether r may use the failure endpoints: it returns
// the actor to audit (e.g. "token:ops") or an error, which is answered
// 401 (wrapping core.ErrForbidden: 403).
type Authorize func(r *http.Request) (actor string, err error)

// failureJSON is one failure as the API shows it.
type failureJSON struct {
	ID        int64     `json:"id"`
	Endpoint  string    `json:"endpoint"`
	EventID   string    `json:"event_id"`
	EventType string    `json:"event_type"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error"`
	FailedAt  time.Time `json:"failed_at"`
}

// Failures returns the handler of GET /api/v1/webhooks/failures (query
// limit, default 100, at most 1000) and POST
// /api/v1/webhooks/failures/{id}/redeliver. Every request first passes
// auth. Errors are JSON as the REST API's: {"error": {"code", "message"}}.
func Failures(svc FailureService, auth Authorize, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/webhooks/failures", func(w http.ResponseWriter, r *http.Request) {
		limit := 100
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 || n > 1000 {
				writeError(w, http.StatusBadRequest, "limit must be 1 to 1000")
				return
			}
			limit = n
		}
		fs, err := svc.WebhookFailures(r.Context(), limit)
		if err != nil {
			log.ErrorContext(r.Context(), "could not list webhook failures", "err", err)
			writeError(w, http.StatusInternalServerError, "could not list failures")
			return
		}
		out := make([]failureJSON, len(fs))
		for i, f := range fs {
			out[i] = failureJSON{ID: int64(f.Delivery), Endpoint: f.Endpoint, EventID: f.Event.String(), EventType: string(f.Type),
				Attempts: f.Attempts, LastError: f.LastError, FailedAt: f.FailedAt.UTC()}
		}
		writeJSON(w, http.StatusOK, map[string]any{"failures": out})
	})
	mux.HandleFunc("POST /api/v1/webhooks/failures/{id}/redeliver", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			writeError(w, http.StatusBadRequest, "id must be a positive integer")
			return
		}
		actor := r.Context().Value(actorKey{}).(string)
		err = svc.RedeliverWebhook(r.Context(), core.DeliveryID(id), actor)
		switch {
		case errors.Is(err, core.ErrNotFound):
			writeError(w, http.StatusNotFound, "no failed webhook delivery with this id")
		case err != nil:
			log.ErrorContext(r.Context(), "could not redeliver a webhook", "delivery", id, "err", err)
			writeError(w, http.StatusInternalServerError, "could not redeliver")
		default:
			writeJSON(w, http.StatusAccepted, map[string]any{"id": id, "state": "pending"})
		}
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, err := auth(r)
		switch {
		case errors.Is(err, core.ErrForbidden):
			writeError(w, http.StatusForbidden, "forbidden")
			return
		case err != nil:
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeError(w, http.StatusUnauthorized, "unauthorized")
			return
		}
		mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, actor)))
	})
}

type actorKey struct{}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// errorCodes are the API's error codes (docs/api.md) by status.
var errorCodes = map[int]string{
	http.StatusBadRequest: "invalid", http.StatusUnauthorized: "unauthorized", http.StatusForbidden: "forbidden",
	http.StatusNotFound: "not_found", http.StatusInternalServerError: "internal",
}

// writeError answers as the REST API does: {"error": {"code", "message"}}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": errorCodes[status], "message": msg}})
}
