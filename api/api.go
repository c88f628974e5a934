package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"cornershop/core"
)

// Ideas reads ideas outside a transaction (the store's Ideas).
type Ideas interface {
	// Ideas lists ideas by f.
	Ideas(ctx context.Context, f core.IdeaFilter) ([]core.Idea, error)
}

// Options are what the API needs. Store, Records, Ideas and Operator are
// required.
type Options struct {
	// Store reads single records in a transaction.
	Store core.Store
	// Records lists pages of records.
	Records core.Records
	// Ideas lists ideas.
	Ideas Ideas
	// Operator acts as staff would in a desk.
	Operator core.Operator
	// Privacy exports and erases contacts; nil leaves those routes out.
	Privacy Privacy
	// Tokens are the bearer tokens that may call the API; none disables
	// every route but the OpenAPI document.
	Tokens []Token
	// Routes are served by other packages under the API's bearer tokens
	// and scopes (the webhook failures, for one).
	Routes []Route
	// Logger receives request failures (never a token or a body)
	// [discard].
	Logger *slog.Logger
	// Now is the clock [time.Now].
	Now func() time.Time
}

// Route is a route another package serves behind the API's
// authentication: Pattern as http.ServeMux reads it, under /api/v1/.
type Route struct {
	Pattern string
	Scope   Scope
	Handler http.Handler
}

// server holds what the handlers share; it is read-only once built.
type server struct {
	o       Options
	log     *slog.Logger
	auth    authenticator
	openapi []byte
}

// Handler returns the API's routes, to be mounted at /api/v1/ (it
// expects the full path). It fails when the OpenAPI document does not
// load or a token is unusable.
func Handler(o Options) (http.Handler, error) {
	if o.Store == nil || o.Records == nil || o.Ideas == nil || o.Operator == nil {
		return nil, fmt.Errorf("api: Store, Records, Ideas and Operator are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	auth, err := newAuthenticator(o.Tokens)
	if err != nil {
		return nil, err
	}
	doc, err := OpenAPIJSON()
	if err != nil {
		return nil, err
	}
	s := &server{o: o, log: o.Logger, auth: auth, openapi: doc}
	return s.routes(), nil
}
